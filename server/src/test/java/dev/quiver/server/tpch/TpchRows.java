package dev.quiver.server.tpch;

import dev.quiver.client.BatchStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.util.Text;

/**
 * TPC-H answers of Quiver and of DuckDB as comparable text rows, sorted: every number by its value
 * rounded half-up to two decimals (an average or a quotient may differ in its last digits between
 * engines, and one engine's BIGINT may be the other's DECIMAL), dates in ISO form, NULL as "NULL".
 *
 * <p>Rows are compared as sorted lists, not in the order of the query's ORDER BY: rows that tie on
 * the sort keys may come in either order.
 */
final class TpchRows {
  private TpchRows() {}

  /** Drains a stream into canonical rows, sorted. */
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
    rows.sort(Comparator.naturalOrder());
    return rows;
  }

  /** DuckDB's rows as {@link dev.quiver.server.DuckDb#query} returns them, canonical, sorted. */
  static List<String> ofDuckDb(List<List<Object>> result) {
    List<String> rows = new ArrayList<>();
    for (List<Object> row : result) {
      rows.add(String.join("|", row.stream().map(TpchRows::text).toList()));
    }
    rows.sort(Comparator.naturalOrder());
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
    if (value instanceof java.sql.Date date) {
      return date.toLocalDate().toString();
    }
    BigDecimal number = number(value);
    return number == null ? String.valueOf(value) : number.toPlainString();
  }

  /** A number of any type rounded to two decimals; null if {@code value} is no number. */
  private static BigDecimal number(Object value) {
    BigDecimal exact;
    if (value instanceof BigDecimal decimal) {
      exact = decimal;
    } else if (value instanceof BigInteger integer) {
      exact = new BigDecimal(integer);
    } else if (value instanceof Double || value instanceof Float) {
      exact = new BigDecimal(((Number) value).doubleValue());
    } else if (value instanceof Long
        || value instanceof Integer
        || value instanceof Short
        || value instanceof Byte) {
      exact = BigDecimal.valueOf(((Number) value).longValue());
    } else {
      exact = null;
    }
    return exact == null ? null : exact.setScale(2, RoundingMode.HALF_UP);
  }
}
