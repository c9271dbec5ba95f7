package dev.quiver.server.plan;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlBinaryOperator;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlFunctionCategory;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlOperatorTable;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.type.ReturnTypes;
import org.apache.calcite.sql.type.SqlTypeFamily;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.type.SqlTypeTransforms;
import org.apache.calcite.sql.util.SqlOperatorTables;
import org.apache.calcite.sql.util.SqlShuttle;
import org.apache.calcite.sql.validate.SqlValidator;
import org.apache.calcite.sql.validate.SqlValidatorScope;

/**
 * The SQL functions and operators Quiver knows: the standard ones, plus DuckDB's {@code
 * date_trunc(unit, value)} and {@code length(s)}, and a {@code /} that is DOUBLE for integers
 * (DuckDB divides integers exactly; SQL's integer division truncates).
 */
final class QuiverOperators {
  /** {@code date_trunc('month', ts)}: the value's type, truncated to the start of the unit. */
  static final SqlFunction DATE_TRUNC =
      new SqlFunction(
          "DATE_TRUNC",
          SqlKind.OTHER_FUNCTION,
          ReturnTypes.ARG1_NULLABLE,
          null,
          OperandTypes.family(SqlTypeFamily.CHARACTER, SqlTypeFamily.DATETIME),
          SqlFunctionCategory.TIMEDATE);

  /** {@code length(s)}: characters, as BIGINT. */
  static final SqlFunction LENGTH =
      new SqlFunction(
          "LENGTH",
          SqlKind.OTHER_FUNCTION,
          ReturnTypes.BIGINT_NULLABLE,
          null,
          OperandTypes.CHARACTER,
          SqlFunctionCategory.STRING);

  /** {@code strlen(s)}: bytes of the UTF-8 text, as BIGINT (DuckDB's). */
  static final SqlFunction STRLEN =
      new SqlFunction(
          "STRLEN",
          SqlKind.OTHER_FUNCTION,
          ReturnTypes.BIGINT_NULLABLE,
          null,
          OperandTypes.CHARACTER,
          SqlFunctionCategory.STRING);

  /** {@code regexp_replace(s, pattern, replacement [, options])}, DuckDB's. */
  static final SqlFunction REGEXP_REPLACE =
      new SqlFunction(
          "REGEXP_REPLACE",
          SqlKind.OTHER_FUNCTION,
          ReturnTypes.ARG0_NULLABLE_VARYING,
          null,
          OperandTypes.or(
              OperandTypes.STRING_STRING_STRING,
              OperandTypes.family(
                  SqlTypeFamily.CHARACTER,
                  SqlTypeFamily.CHARACTER,
                  SqlTypeFamily.CHARACTER,
                  SqlTypeFamily.CHARACTER)),
          SqlFunctionCategory.STRING);

  /** {@code a / b}: DOUBLE for integers, as SQL's {@code /} otherwise. */
  static final SqlBinaryOperator DIVIDE = new Divide();

  /**
   * {@code /} of two integers is DOUBLE (DuckDB divides integers exactly; SQL's integer division
   * truncates), and NULL for a zero divisor. Any other {@code /} is the standard one: DOUBLE when
   * either side is, DECIMAL of the standard's precision for decimals.
   *
   * <p>Calcite's validator looks an operator up again by its name when it derives a call's type,
   * which would find the standard {@code /}: this one derives its own type instead.
   */
  private static final class Divide extends SqlBinaryOperator {
    Divide() {
      super(
          "/",
          SqlKind.DIVIDE,
          60,
          true,
          ReturnTypes.explicit(SqlTypeName.DOUBLE).andThen(SqlTypeTransforms.TO_NULLABLE),
          null,
          OperandTypes.DIVISION_OPERATOR);
    }

    @Override
    public RelDataType deriveType(SqlValidator validator, SqlValidatorScope scope, SqlCall call) {
      boolean integers = true;
      for (SqlNode operand : call.getOperandList()) {
        RelDataType type = validator.deriveType(scope, operand);
        integers &= SqlTypeName.INT_TYPES.contains(type.getSqlTypeName());
      }
      if (!integers) {
        ((SqlBasicCall) call).setOperator(SqlStdOperatorTable.DIVIDE);
        return SqlStdOperatorTable.DIVIDE.deriveType(validator, scope, call);
      }
      return validateOperands(validator, scope, call);
    }
  }

  /**
   * {@code QUIVER_IN_LIST(x, '<values>')}: {@code x IN (...)} with a long list of literals, which
   * {@link LongInLists} writes in before validation and the translators read back.
   */
  static final SqlFunction IN_LIST =
      new SqlFunction(
          "QUIVER_IN_LIST",
          SqlKind.OTHER_FUNCTION,
          ReturnTypes.BOOLEAN_NULLABLE,
          null,
          OperandTypes.ANY_ANY,
          SqlFunctionCategory.SYSTEM);

  static final SqlOperatorTable TABLE =
      SqlOperatorTables.chain(
          SqlOperatorTables.of(DATE_TRUNC, LENGTH, STRLEN, REGEXP_REPLACE, IN_LIST),
          SqlStdOperatorTable.instance());

  private QuiverOperators() {}

  /**
   * The parsed query with Quiver's {@code /} and with chains of AND or OR rebuilt as balanced
   * trees, so that a condition of thousands of terms is validated without deep recursion.
   */
  static SqlNode rewrite(SqlNode query) {
    return query.accept(new Rewriter());
  }

  private static final class Rewriter extends SqlShuttle {
    @Override
    public SqlNode visit(SqlCall call) {
      SqlKind kind = call.getKind();
      if (kind == SqlKind.AND || kind == SqlKind.OR) {
        List<SqlNode> terms = new ArrayList<>();
        flatten(call, kind, terms);
        List<SqlNode> visited = new ArrayList<>(terms.size());
        for (SqlNode term : terms) {
          visited.add(term == null ? null : term.accept(this));
        }
        return balanced(call, visited, 0, visited.size());
      }
      if (kind == SqlKind.DIVIDE && call.getOperator() == SqlStdOperatorTable.DIVIDE) {
        SqlNode left = call.operand(0).accept(this);
        SqlNode right = call.operand(1).accept(this);
        return DIVIDE.createCall(call.getParserPosition(), left, right);
      }
      if (kind == SqlKind.IN || kind == SqlKind.NOT_IN) {
        SqlNode inList = LongInLists.rewrite(call, call.operand(0).accept(this));
        if (inList != null) {
          return inList;
        }
      }
      return super.visit(call);
    }

    /** The terms of a chain of {@code kind}, in order, without recursion on the chain. */
    private static void flatten(SqlCall call, SqlKind kind, List<SqlNode> terms) {
      java.util.ArrayDeque<SqlNode> pending = new java.util.ArrayDeque<>();
      pending.push(call);
      while (!pending.isEmpty()) {
        SqlNode node = pending.pop();
        if (node instanceof SqlCall c && c.getKind() == kind) {
          List<SqlNode> operands = c.getOperandList();
          for (int i = operands.size() - 1; i >= 0; i--) {
            pending.push(operands.get(i));
          }
        } else {
          terms.add(node);
        }
      }
    }

    private static SqlNode balanced(SqlCall template, List<SqlNode> terms, int from, int to) {
      if (to - from == 1) {
        return terms.get(from);
      }
      int middle = (from + to) >>> 1;
      return template
          .getOperator()
          .createCall(
              template.getParserPosition(),
              balanced(template, terms, from, middle),
              balanced(template, terms, middle, to));
    }
  }
}
