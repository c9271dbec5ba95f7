package dev.quiver.server.physical;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.expression.Expression;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Rows written in the query ({@code VALUES}, or the one row of a SELECT without FROM): each row's
 * values are constant expressions, one per column of {@code schema}. Runs in one place.
 */
public record Values(List<List<Expression>> rows, Schema schema) implements PhysicalPlan {
  public Values {
    rows = rows.stream().map(List::copyOf).toList();
    requireNonNull(schema, "schema is null");
  }

  @Override
  public List<PhysicalPlan> children() {
    return List.of();
  }

  @Override
  public Distribution distribution() {
    return Distribution.SINGLE;
  }

  @Override
  public PhysicalPlan withChildren(List<PhysicalPlan> children) {
    Operators.requireCount(this, children, 0);
    return this;
  }
}
