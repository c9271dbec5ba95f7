package dev.quiver.server.plan;

import dev.quiver.server.expression.Expression;
import dev.quiver.server.expression.Function;
import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * {@code SUM(x + k)} of an integer {@code x} and an integer constant {@code k}, computed as {@code
 * SUM(x) + k * COUNT(x)}: exact, NULL where the SUM is (no non-null {@code x}), and one SUM and one
 * COUNT serve every constant, so ninety {@code SUM(x + k)} in one SELECT (ClickBench's Q29) read
 * {@code x} once. {@code SUM(x - k)} is {@code SUM(x + (-k))}.
 *
 * @param base the summed expression without the constant
 * @param shift the constant added to each value
 * @param sumCall the index of {@code SUM(base)} among the aggregation's calls, once placed
 * @param countCall the index of {@code COUNT(base)} among them
 */
record ShiftedSum(Expression base, long shift, int sumCall, int countCall) {
  private static final ArrowType BIGINT = new ArrowType.Int(64, true);

  /**
   * The call as a shifted sum, or null when it is not {@code SUM} of an integer plus a constant.
   */
  static ShiftedSum of(org.apache.calcite.rel.core.AggregateCall call, List<Expression> columns) {
    if (call.getAggregation().getKind() != SqlKind.SUM
        || call.isDistinct()
        || call.hasFilter()
        || call.getArgList().size() != 1
        || call.getType().getSqlTypeName() != SqlTypeName.BIGINT) {
      return null;
    }
    if (!(columns.get(call.getArgList().get(0)) instanceof Expression.Call sum)
        || !(sum.type() instanceof ArrowType.Int)
        || sum.operands().size() != 2) {
      return null;
    }
    Expression left = sum.operands().get(0);
    Expression right = sum.operands().get(1);
    if (sum.function() == Function.PLUS && constant(left) != null && integer(right)) {
      return new ShiftedSum(right, constant(left), -1, -1);
    }
    if ((sum.function() == Function.PLUS || sum.function() == Function.MINUS)
        && constant(right) != null
        && integer(left)) {
      long k = constant(right);
      if (sum.function() == Function.MINUS && k == Long.MIN_VALUE) {
        return null;
      }
      return new ShiftedSum(left, sum.function() == Function.MINUS ? -k : k, -1, -1);
    }
    return null;
  }

  private static Long constant(Expression expression) {
    return expression instanceof Expression.Literal literal
            && literal.type() instanceof ArrowType.Int
            && literal.value() instanceof Number number
        ? number.longValue()
        : null;
  }

  private static boolean integer(Expression expression) {
    return expression.type() instanceof ArrowType.Int;
  }

  /** This sum with its SUM and COUNT placed at {@code sumCall} and {@code countCall}. */
  ShiftedSum at(int sumCall, int countCall) {
    return new ShiftedSum(base, shift, sumCall, countCall);
  }

  /** {@code sum + shift * count}, over the columns of {@code SUM(base)} and {@code COUNT(base)}. */
  Expression result(Expression sum, Expression count) {
    Expression times =
        new Expression.Call(
            Function.TIMES, List.of(new Expression.Literal(shift, BIGINT), count), BIGINT);
    return new Expression.Call(Function.PLUS, List.of(sum, times), BIGINT);
  }
}
