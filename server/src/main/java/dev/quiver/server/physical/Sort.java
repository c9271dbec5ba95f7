package dev.quiver.server.physical;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.exec.SortKey;
import java.util.List;
import java.util.OptionalLong;

/**
 * Orders its input by {@code keys}; with a limit, keeps only the first {@code limit} rows (a top-N,
 * which holds no more than that many rows).
 */
public record Sort(PhysicalPlan input, List<SortKey> keys, OptionalLong limit)
    implements UnaryPlan {
  public Sort {
    requireNonNull(input, "input is null");
    keys = List.copyOf(keys);
    requireNonNull(limit, "limit is null");
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("A sort needs at least one key");
    }
  }

  @Override
  public PhysicalPlan withChildren(List<PhysicalPlan> children) {
    Operators.requireCount(this, children, 1);
    return new Sort(children.get(0), keys, limit);
  }
}
