package dev.quiver.server.physical;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.expression.Expression;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/** Keeps the rows of its input for which {@code condition} is true. */
public record Filter(PhysicalPlan input, Expression condition) implements PhysicalPlan {
  public Filter {
    requireNonNull(input, "input is null");
    requireNonNull(condition, "condition is null");
  }

  @Override
  public List<PhysicalPlan> children() {
    return List.of(input);
  }

  @Override
  public Schema schema() {
    return input.schema();
  }

  @Override
  public Distribution distribution() {
    return input.distribution();
  }

  @Override
  public PhysicalPlan withChildren(List<PhysicalPlan> children) {
    Operators.requireCount(this, children, 1);
    return new Filter(children.get(0), condition);
  }
}
