package dev.quiver.server.expression;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.IntUnaryOperator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;

/** Building and rewriting expression trees. */
public final class Expressions {
  private Expressions() {}

  public static Expression.ColumnRef column(int index, Field field) {
    return new Expression.ColumnRef(index, field);
  }

  /** The conjunction of {@code terms}; the term itself when there is one. */
  public static Expression and(List<Expression> terms) {
    return terms.size() == 1
        ? terms.get(0)
        : new Expression.Call(Function.AND, terms, Expression.BOOLEAN);
  }

  /**
   * A constant expression (no column in it) computed now, as a literal: {@code 2 + 3} is {@code 5},
   * {@code CAST('2024-03-01' AS DATE)} a date. An expression that fails to compute (a bad cast)
   * stays as it is, to fail when it runs, naming its column.
   */
  public static Expression fold(Expression expression) {
    if (!(expression instanceof Expression.Call) && !(expression instanceof Expression.InList)) {
      return expression;
    }
    try (VectorSchemaRoot one = new VectorSchemaRoot(List.<FieldVector>of())) {
      one.setRowCount(1);
      Column value = new Evaluator(one).evaluate(expression);
      return new Expression.Literal(value.get(0), expression.type());
    } catch (RuntimeException e) {
      return expression;
    }
  }

  /** Adds the input columns {@code expression} reads to {@code into}. */
  public static void collectColumns(Expression expression, Collection<Integer> into) {
    if (expression instanceof Expression.ColumnRef ref) {
      into.add(ref.index());
    } else if (expression instanceof Expression.Call call) {
      call.operands().forEach(operand -> collectColumns(operand, into));
    } else if (expression instanceof Expression.InList in) {
      collectColumns(in.value(), into);
    }
  }

  /** {@code expression} with every column index {@code i} replaced by {@code mapping(i)}. */
  public static Expression remap(Expression expression, IntUnaryOperator mapping) {
    if (expression instanceof Expression.ColumnRef ref) {
      return new Expression.ColumnRef(mapping.applyAsInt(ref.index()), ref.field());
    }
    if (expression instanceof Expression.Call call) {
      List<Expression> operands = new ArrayList<>(call.operands().size());
      for (Expression operand : call.operands()) {
        operands.add(remap(operand, mapping));
      }
      return new Expression.Call(call.function(), operands, call.type());
    }
    if (expression instanceof Expression.InList in) {
      return new Expression.InList(remap(in.value(), mapping), in.values(), in.hasNull());
    }
    return expression;
  }
}
