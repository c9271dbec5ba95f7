package dev.quiver.server.exec;

import dev.quiver.server.expression.Column;
import dev.quiver.server.expression.Vectors;
import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Assigns rows to ranges of sort keys: with boundaries {@code b0 <= b1 <= ... <= b(n-2)}, range
 * {@code p} holds the rows above {@code b(p-1)} and at most {@code bp} in the sort order. Rows
 * equal to a boundary all go to the same range, so every range is a contiguous slice of the sorted
 * result.
 */
public final class RangePartitioner {
  private final List<SortKey> keys;
  private final Column[] boundaries;
  private final int boundaryCount;

  /**
   * @param keys the sort keys, over the columns of the batches to assign
   * @param boundaries one row per boundary, in order; column {@code k} holds key {@code k}
   */
  public RangePartitioner(List<SortKey> keys, VectorSchemaRoot boundaries) {
    this.keys = List.copyOf(keys);
    this.boundaryCount = boundaries.getRowCount();
    this.boundaries = new Column[keys.size()];
    for (int k = 0; k < keys.size(); k++) {
      this.boundaries[k] = Vectors.read(boundaries.getVector(k), boundaryCount);
    }
  }

  /** Number of ranges: one more than the boundaries. */
  public int ranges() {
    return boundaryCount + 1;
  }

  /** The rows of {@code batch} in each range, in row order: {@code result[p]} for range p. */
  public int[][] assign(VectorSchemaRoot batch) {
    int rows = batch.getRowCount();
    Column[] values = new Column[keys.size()];
    for (int k = 0; k < keys.size(); k++) {
      values[k] = Vectors.read(batch.getVector(keys.get(k).column()), rows);
    }
    int[] range = new int[rows];
    int[] counts = new int[ranges()];
    for (int r = 0; r < rows; r++) {
      int low = 0;
      int high = boundaryCount;
      while (low < high) {
        int middle = (low + high) >>> 1;
        if (SortKey.compare(keys, values, r, boundaries, middle) <= 0) {
          high = middle;
        } else {
          low = middle + 1;
        }
      }
      range[r] = low;
      counts[low]++;
    }
    int[][] result = new int[ranges()][];
    for (int p = 0; p < result.length; p++) {
      result[p] = new int[counts[p]];
    }
    int[] filled = new int[ranges()];
    for (int r = 0; r < rows; r++) {
      result[range[r]][filled[range[r]]++] = r;
    }
    return result;
  }
}
