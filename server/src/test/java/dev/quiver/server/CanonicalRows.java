package dev.quiver.server;

import dev.quiver.client.BatchStream;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Rows in one canonical text form so that Arrow results and DuckDB results can be compared: dates
 * as ISO text, timestamps as epoch microseconds (DuckDB: {@code epoch_us(ts)}), decimals as plain
 * text, everything else as {@code String.valueOf}, nulls as "NULL".
 */
public final class CanonicalRows {
  private CanonicalRows() {}

  /** Drains a stream into canonical rows sorted by their text. */
  public static List<String> of(BatchStream stream) {
    List<String> rows = new ArrayList<>();
    while (stream.next()) {
      rows.addAll(of(stream.root()));
    }
    rows.sort(Comparator.naturalOrder());
    return rows;
  }

  public static List<String> of(VectorSchemaRoot root) {
    List<String> rows = new ArrayList<>();
    for (int r = 0; r < root.getRowCount(); r++) {
      List<String> values = new ArrayList<>();
      for (FieldVector vector : root.getFieldVectors()) {
        values.add(value(vector, r));
      }
      rows.add(String.join("|", values));
    }
    return rows;
  }

  /** DuckDB's rows, canonicalized the same way (the query does the type-specific conversions). */
  public static List<String> ofDuckDb(List<List<Object>> result) {
    List<String> rows = ofDuckDbInOrder(result);
    rows.sort(Comparator.naturalOrder());
    return rows;
  }

  /** DuckDB's rows, canonicalized, in DuckDB's order. */
  public static List<String> ofDuckDbInOrder(List<List<Object>> result) {
    List<String> rows = new ArrayList<>();
    for (List<Object> row : result) {
      List<String> values = new ArrayList<>();
      for (Object value : row) {
        values.add(
            value == null
                ? "NULL"
                : value instanceof BigDecimal d ? d.toPlainString() : String.valueOf(value));
      }
      rows.add(String.join("|", values));
    }
    return rows;
  }

  /** Drains a stream into canonical rows in the order they arrived. */
  public static List<String> inOrder(BatchStream stream) {
    List<String> rows = new ArrayList<>();
    while (stream.next()) {
      rows.addAll(of(stream.root()));
    }
    return rows;
  }

  private static String value(FieldVector vector, int index) {
    if (vector.isNull(index)) {
      return "NULL";
    }
    if (vector instanceof DateDayVector dates) {
      return LocalDate.ofEpochDay(dates.get(index)).toString();
    }
    if (vector instanceof TimeStampVector timestamps) {
      return Long.toString(timestamps.get(index));
    }
    if (vector instanceof DecimalVector decimals) {
      return decimals.getObject(index).toPlainString();
    }
    if (vector instanceof VarCharVector strings) {
      return new String(strings.get(index), java.nio.charset.StandardCharsets.UTF_8);
    }
    return Objects.toString(vector.getObject(index));
  }
}
