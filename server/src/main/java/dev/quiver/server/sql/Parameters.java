package dev.quiver.server.sql;

import static dev.quiver.server.sql.QueryPlanner.invalid;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * The {@code ?} markers of a query and their binding. Binding writes each value into the text as a
 * SQL literal at its marker's position, so a bound query is ordinary SQL: it is planned, shipped in
 * tickets and run on every node exactly like one typed by hand.
 */
final class Parameters {
  private Parameters() {}

  /**
   * One marker.
   *
   * @param column the column the marker is compared with, or null when it stands elsewhere
   */
  record Marker(SqlDynamicParam param, SqlIdentifier column) {}

  /** The markers of {@code node}, in the order of their indexes. */
  static List<Marker> find(SqlNode node) {
    List<Marker> markers = new ArrayList<>();
    collect(node, null, markers);
    markers.sort(Comparator.comparingInt(m -> m.param().getIndex()));
    return markers;
  }

  private static void collect(SqlNode node, SqlIdentifier sibling, List<Marker> into) {
    if (node instanceof SqlDynamicParam param) {
      into.add(new Marker(param, sibling));
    } else if (node instanceof SqlNodeList list) {
      for (SqlNode element : list) {
        collect(element, sibling, into);
      }
    } else if (node instanceof SqlCall call) {
      SqlIdentifier column = null;
      for (SqlNode operand : call.getOperandList()) {
        if (operand instanceof SqlIdentifier identifier && !identifier.isStar()) {
          column = identifier;
        }
      }
      for (SqlNode operand : call.getOperandList()) {
        if (operand != null) {
          collect(operand, column, into);
        }
      }
    }
  }

  /** {@code sql} with each marker replaced by the literal of the value of the same index. */
  static String bind(String sql, List<Marker> markers, List<Object> values) {
    if (values.size() != markers.size()) {
      throw invalid(
          "The query has " + markers.size() + " parameter(s) but " + values.size() + " were bound");
    }
    List<Marker> lastFirst = new ArrayList<>(markers);
    lastFirst.sort(Comparator.comparingInt((Marker m) -> offset(sql, m.param())).reversed());
    StringBuilder bound = new StringBuilder(sql);
    for (Marker marker : lastFirst) {
      int at = offset(sql, marker.param());
      if (at < 0 || at >= sql.length() || sql.charAt(at) != '?') {
        throw invalid(
            "Cannot locate parameter " + (marker.param().getIndex() + 1) + " in the text");
      }
      bound.replace(at, at + 1, literal(values.get(marker.param().getIndex())));
    }
    return bound.toString();
  }

  /** The character offset of a marker in the text, from its line and column. */
  private static int offset(String sql, SqlDynamicParam param) {
    SqlParserPos pos = param.getParserPosition();
    int offset = 0;
    for (int line = 1; line < pos.getLineNum(); line++) {
      offset = sql.indexOf('\n', offset) + 1;
      if (offset == 0) {
        return -1;
      }
    }
    return offset + pos.getColumnNum() - 1;
  }

  /**
   * A value of {@code type}, bound while preparing so that the query is validated with a literal of
   * each parameter's type (NULL would not do: {@code LIKE NULL} is not a pattern).
   */
  static Object example(ArrowType type) {
    if (type instanceof ArrowType.Utf8) {
      return "";
    }
    if (type instanceof ArrowType.Bool) {
      return Boolean.TRUE;
    }
    if (type instanceof ArrowType.Date) {
      return LocalDate.EPOCH;
    }
    if (type instanceof ArrowType.Timestamp) {
      return LocalDateTime.of(1970, 1, 1, 0, 0);
    }
    if (type instanceof ArrowType.Time) {
      return LocalTime.MIDNIGHT;
    }
    return BigDecimal.ZERO;
  }

  /** A value as a SQL literal the planner reads back as the same value. */
  static String literal(Object value) {
    if (value == null) {
      return "NULL";
    }
    if (value instanceof Boolean b) {
      return b ? "TRUE" : "FALSE";
    }
    if (value instanceof BigDecimal d) {
      return d.toPlainString();
    }
    if (value instanceof Long
        || value instanceof Integer
        || value instanceof Short
        || value instanceof Byte) {
      return value.toString();
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (!Double.isFinite(d)) {
        throw invalid("Parameter value " + d + " is not a finite number");
      }
      return BigDecimal.valueOf(d).toPlainString();
    }
    if (value instanceof LocalDate date) {
      return "DATE '" + date + "'";
    }
    if (value instanceof LocalDateTime timestamp) {
      return "TIMESTAMP '" + timestamp.toString().replace('T', ' ') + "'";
    }
    if (value instanceof LocalTime time) {
      return "TIME '" + time + "'";
    }
    if (value instanceof CharSequence text) {
      return "'" + text.toString().replace("'", "''") + "'";
    }
    throw invalid("Parameters of type " + value.getClass().getSimpleName() + " are not supported");
  }
}
