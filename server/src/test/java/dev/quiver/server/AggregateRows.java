package dev.quiver.server;

import dev.quiver.client.BatchStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.util.Text;

/**
 * Aggregate results of Quiver and of DuckDB as comparable text rows: numbers by value (a BIGINT sum
 * equals DuckDB's HUGEINT), doubles to 12 significant digits (sums add up in another order on
 * another engine), dates and timestamps in ISO form, NULL as "NULL". Rows keep their order, so
 * callers sort them unless the query has ORDER BY.
 */
final class AggregateRows {
  private static final MathContext DIGITS = new MathContext(12);

  private AggregateRows() {}

  static List<String> of(BatchStream stream) {
    List<String> rows = new ArrayList<>();
    while (stream.next()) {
      VectorSchemaRoot root = stream.root();
      for (int r = 0; r < root.getRowCount(); r++) {
        List<String> values = new ArrayList<>();
        for (FieldVector vector : root.getFieldVectors()) {
          values.add(text(vector, r));
        }
        rows.add(String.join("|", values));
      }
    }
    return rows;
  }

  static List<String> ofDuckDb(List<List<Object>> result) {
    List<String> rows = new ArrayList<>();
    for (List<Object> row : result) {
      rows.add(String.join("|", row.stream().map(AggregateRows::text).toList()));
    }
    return rows;
  }

  private static String text(FieldVector vector, int row) {
    if (vector.isNull(row)) {
      return "NULL";
    }
    if (vector instanceof DateDayVector dates) {
      return LocalDate.ofEpochDay(dates.get(row)).toString();
    }
    return text(vector.getObject(row));
  }

  private static String text(Object value) {
    if (value == null) {
      return "NULL";
    }
    if (value instanceof Text text) {
      return text.toString();
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      return d == 0 ? "0" : new BigDecimal(d).round(DIGITS).stripTrailingZeros().toPlainString();
    }
    if (value instanceof BigDecimal decimal) {
      return decimal.toPlainString();
    }
    if (value instanceof BigInteger || value instanceof Long || value instanceof Integer) {
      return value.toString();
    }
    if (value instanceof java.sql.Date date) {
      return date.toLocalDate().toString();
    }
    if (value instanceof java.sql.Timestamp timestamp) {
      return timestamp.toLocalDateTime().toString();
    }
    if (value instanceof LocalDateTime || value instanceof LocalDate) {
      return value.toString();
    }
    return String.valueOf(value);
  }
}
