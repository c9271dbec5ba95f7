package dev.quiver.server.physical;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The rows of all its inputs, one input after the other ({@code UNION ALL}); every input has the
 * columns of {@code schema}, in order.
 */
public record Union(List<PhysicalPlan> inputs, Schema schema) implements PhysicalPlan {
  public Union {
    inputs = List.copyOf(inputs);
    requireNonNull(schema, "schema is null");
    if (inputs.size() < 2) {
      throw new IllegalArgumentException("A union needs two inputs or more, got " + inputs.size());
    }
  }

  @Override
  public List<PhysicalPlan> children() {
    return inputs;
  }

  @Override
  public Distribution distribution() {
    return inputs.stream().allMatch(i -> i.distribution().equals(Distribution.SINGLE))
        ? Distribution.SINGLE
        : Distribution.ANY;
  }

  @Override
  public PhysicalPlan withChildren(List<PhysicalPlan> children) {
    return new Union(children, schema);
  }
}
