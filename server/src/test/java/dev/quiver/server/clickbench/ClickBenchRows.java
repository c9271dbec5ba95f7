package dev.quiver.server.clickbench;

import dev.quiver.client.BatchStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.util.Text;

/**
 * Answers of Quiver and of DuckDB as rows of comparable text values, in the order they came:
 * integers exactly (one engine's BIGINT may be the other's HUGEINT or DECIMAL), other numbers
 * rounded to ten significant digits (an average's last digits depend on the order it was summed in;
 * AVG(UserID) is near 10^18), dates and timestamps in ISO form, NULL as "NULL".
 */
final class ClickBenchRows {
  private static final MathContext DIGITS = new MathContext(10);

  private ClickBenchRows() {}

  /** Drains a stream into rows, in the order the batches arrived. */
  static List<List<String>> of(BatchStream stream) {
    List<List<String>> rows = new ArrayList<>();
    while (stream.next()) {
      VectorSchemaRoot root = stream.root();
      for (int r = 0; r < root.getRowCount(); r++) {
        List<String> values = new ArrayList<>();
        for (FieldVector vector : root.getFieldVectors()) {
          values.add(
              vector instanceof DateDayVector dates && !dates.isNull(r)
                  ? LocalDate.ofEpochDay(dates.get(r)).toString()
                  : text(vector.getObject(r)));
        }
        rows.add(values);
      }
    }
    return rows;
  }

  /** DuckDB's rows as {@link dev.quiver.server.DuckDb#query} returns them, in its order. */
  static List<List<String>> ofDuckDb(List<List<Object>> result) {
    return result.stream().map(row -> row.stream().map(ClickBenchRows::text).toList()).toList();
  }

  private static String text(Object value) {
    if (value == null) {
      return "NULL";
    }
    if (value instanceof Text text) {
      return text.toString();
    }
    if (value instanceof java.sql.Date date) {
      return date.toLocalDate().toString();
    }
    if (value instanceof java.sql.Timestamp timestamp) {
      return timestamp.toLocalDateTime().toString();
    }
    if (value instanceof Long
        || value instanceof Integer
        || value instanceof Short
        || value instanceof Byte
        || value instanceof BigInteger) {
      return value.toString();
    }
    if (value instanceof BigDecimal decimal) {
      BigDecimal plain = decimal.stripTrailingZeros();
      return plain.scale() <= 0
          ? plain.toBigInteger().toString()
          : plain.round(DIGITS).toPlainString();
    }
    if (value instanceof Double || value instanceof Float) {
      double number = ((Number) value).doubleValue();
      return Double.isFinite(number)
          ? new BigDecimal(number).round(DIGITS).stripTrailingZeros().toPlainString()
          : value.toString();
    }
    return value.toString();
  }
}
