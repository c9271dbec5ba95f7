package dev.quiver.server.physical;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Skips the first {@code offset} rows of its input, hands on the next {@code count} and stops
 * reading it.
 */
public record Limit(PhysicalPlan input, long offset, long count) implements UnaryPlan {
  public Limit {
    requireNonNull(input, "input is null");
    if (count < 0 || offset < 0) {
      throw new IllegalArgumentException(
          "offset and count must not be negative: " + offset + ", " + count);
    }
  }

  /** The first {@code count} rows. */
  public Limit(PhysicalPlan input, long count) {
    this(input, 0, count);
  }

  @Override
  public PhysicalPlan withChildren(List<PhysicalPlan> children) {
    Operators.requireCount(this, children, 1);
    return new Limit(children.get(0), offset, count);
  }
}
