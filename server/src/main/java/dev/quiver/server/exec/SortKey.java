package dev.quiver.server.exec;

import dev.quiver.server.expression.Column;
import java.util.List;

/**
 * One ORDER BY item. NULLs sort last unless asked otherwise, as in DuckDB.
 *
 * @param column the index of the computed column it sorts by
 */
public record SortKey(int column, boolean descending, boolean nullsFirst) {
  /**
   * How {@code keys} order row {@code i} of {@code x} against row {@code j} of {@code y}, where
   * {@code x[k]} and {@code y[k]} hold the values of key {@code k}.
   */
  public static int compare(List<SortKey> keys, Column[] x, int i, Column[] y, int j) {
    for (int k = 0; k < keys.size(); k++) {
      SortKey key = keys.get(k);
      boolean xNull = x[k].isNull(i);
      boolean yNull = y[k].isNull(j);
      int c;
      if (xNull || yNull) {
        c = xNull == yNull ? 0 : (xNull == key.nullsFirst()) ? -1 : 1;
      } else {
        c = x[k].compare(i, y[k], j);
        if (key.descending()) {
          c = -c;
        }
      }
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }
}
