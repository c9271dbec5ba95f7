package dev.quiver.server.physical;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.expression.Expression;
import java.util.List;

/** Keeps the rows of its input for which {@code condition} is true. */
public record Filter(PhysicalPlan input, Expression condition) implements UnaryPlan {
  public Filter {
    requireNonNull(input, "input is null");
    requireNonNull(condition, "condition is null");
  }

  @Override
  public PhysicalPlan withChildren(List<PhysicalPlan> children) {
    Operators.requireCount(this, children, 1);
    return new Filter(children.get(0), condition);
  }
}
