package dev.quiver.server.physical;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** Hands on the first {@code count} rows of its input and stops reading it. */
public record Limit(PhysicalPlan input, long count) implements UnaryPlan {
  public Limit {
    requireNonNull(input, "input is null");
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative: " + count);
    }
  }

  @Override
  public PhysicalPlan withChildren(List<PhysicalPlan> children) {
    Operators.requireCount(this, children, 1);
    return new Limit(children.get(0), count);
  }
}
