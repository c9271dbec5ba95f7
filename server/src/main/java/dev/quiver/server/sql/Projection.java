package dev.quiver.server.sql;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.expression.Expression;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * One computed column: its field in the result (name, type, children of a nested column passed
 * through) and the expression that computes it from the input batch.
 */
public record Projection(Field field, Expression expression) {
  public Projection {
    requireNonNull(field, "field is null");
    requireNonNull(expression, "expression is null");
  }

  public String name() {
    return field.getName();
  }

  /** Whether it passes input column {@code index} through unchanged. */
  public boolean isColumn(int index) {
    return expression instanceof Expression.ColumnRef ref && ref.index() == index;
  }
}
