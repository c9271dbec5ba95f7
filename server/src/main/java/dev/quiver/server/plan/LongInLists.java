package dev.quiver.server.plan;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlCharStringLiteral;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlNumericLiteral;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.util.NlsString;

/**
 * {@code x IN (v1, ..., vn)} with thousands of literals, as BI tools send a pasted list of ids,
 * planned without building n equalities: before validation the list becomes one call {@code
 * QUIVER_IN_LIST(x, '<the values>')} whose second operand carries the values (numbers as text,
 * strings as JSON), which the translators turn straight into one hash lookup and one pushed-down IN
 * predicate. Calcite would expand the list into an OR of n equalities and simplify it back, which
 * took most of the 1.8 s that planning 100,000 integers took.
 *
 * <p>Only lists of at least {@link #MIN_VALUES} literals that are all numbers (integers or
 * decimals, possibly negative) or all strings, NULL allowed, take this path; anything else stays
 * standard SQL through Calcite.
 */
final class LongInLists {
  /** The shortest list planned this way. */
  static final int MIN_VALUES = 1_000;

  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

  private LongInLists() {}

  /** A decoded list: numbers as {@link BigDecimal}, or strings; NULL as null. */
  record Values(boolean numbers, List<Object> values) {}

  /**
   * The call that replaces {@code in}, an {@code IN} or {@code NOT IN} call with its operands
   * already rewritten, or null when the list does not qualify.
   */
  static SqlNode rewrite(SqlCall in, SqlNode value) {
    if (!(in.operand(1) instanceof SqlNodeList list) || list.size() < MIN_VALUES) {
      return null;
    }
    String encoded = encode(list);
    if (encoded == null) {
      return null;
    }
    SqlNode call =
        QuiverOperators.IN_LIST.createCall(
            in.getParserPosition(),
            value,
            SqlLiteral.createCharString(encoded, in.getParserPosition()));
    return in.getKind() == SqlKind.NOT_IN
        ? SqlStdOperatorTable.NOT.createCall(in.getParserPosition(), call)
        : call;
  }

  /** 'n' and the numbers separated by commas, or 's' and a JSON array; null if mixed or other. */
  private static String encode(SqlNodeList list) {
    StringBuilder numbers = new StringBuilder("n");
    List<String> strings = new ArrayList<>();
    boolean sawNumber = false;
    boolean sawString = false;
    for (SqlNode node : list) {
      if (node instanceof SqlLiteral literal && literal.getTypeName().getName().equals("NULL")) {
        numbers.append(numbers.length() > 1 ? "," : "").append("null");
        strings.add(null);
        continue;
      }
      BigDecimal number = number(node);
      if (number != null) {
        sawNumber = true;
        numbers.append(numbers.length() > 1 ? "," : "").append(number.toPlainString());
      } else if (node instanceof SqlCharStringLiteral text) {
        sawString = true;
        strings.add(text.getValueAs(NlsString.class).getValue());
      } else {
        return null;
      }
      if (sawNumber && sawString) {
        return null;
      }
    }
    if (!sawString) {
      return numbers.toString();
    }
    try {
      return "s" + JSON.writeValueAsString(strings);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot encode an IN list", e);
    }
  }

  private static BigDecimal number(SqlNode node) {
    if (node instanceof SqlNumericLiteral literal) {
      return literal.getValueAs(BigDecimal.class);
    }
    if (node instanceof SqlCall call
        && call.getKind() == SqlKind.MINUS_PREFIX
        && call.operand(0) instanceof SqlNumericLiteral literal) {
      return literal.getValueAs(BigDecimal.class).negate();
    }
    return null;
  }

  /** The values {@link #rewrite} encoded. */
  static Values decode(String encoded) {
    if (encoded.startsWith("n")) {
      List<Object> values = new ArrayList<>();
      if (encoded.length() > 1) {
        for (String number : encoded.substring(1).split(",")) {
          values.add(number.equals("null") ? null : new BigDecimal(number));
        }
      }
      return new Values(true, values);
    }
    try {
      return new Values(false, Arrays.asList(JSON.readValue(encoded.substring(1), String[].class)));
    } catch (IOException e) {
      throw new QuiverException(ErrorCode.INTERNAL, "Unreadable IN list: " + e.getMessage(), e);
    }
  }
}
