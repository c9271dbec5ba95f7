package dev.quiver.server.physical;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.OptionalLong;

/**
 * Moves its input's rows between tasks so that they are spread as {@code target} says: a hash
 * repartition ({@link Distribution.Kind#HASH}), a gather to one node ({@link
 * Distribution.Kind#SINGLE}), a broadcast of every row to every consumer ({@link
 * Distribution.Kind#REPLICATED}), or a range repartition by sort keys ({@link
 * Distribution.Kind#RANGE}, boundaries from samples). The stage planner cuts plans here: the input
 * runs in one stage, what reads the exchange in the next.
 *
 * @param gatherBelowBytes for a hash repartition, gather instead when the input turns out to total
 *     at most this many bytes (decided when the producing stage has run); empty for a fixed choice
 */
public record Exchange(PhysicalPlan input, Distribution target, OptionalLong gatherBelowBytes)
    implements UnaryPlan {
  public Exchange {
    requireNonNull(input, "input is null");
    requireNonNull(target, "target is null");
    requireNonNull(gatherBelowBytes, "gatherBelowBytes is null");
    if (target.kind() == Distribution.Kind.ANY) {
      throw new IllegalArgumentException("An exchange spreads rows in a definite way, not ANY");
    }
    if (gatherBelowBytes.isPresent() && target.kind() != Distribution.Kind.HASH) {
      throw new IllegalArgumentException("Only a hash repartition can turn into a gather");
    }
  }

  public static Exchange gather(PhysicalPlan input) {
    return new Exchange(input, Distribution.SINGLE, OptionalLong.empty());
  }

  public static Exchange broadcast(PhysicalPlan input) {
    return new Exchange(input, Distribution.REPLICATED, OptionalLong.empty());
  }

  public static Exchange hash(PhysicalPlan input, List<Integer> keys, int partitions) {
    return new Exchange(input, Distribution.hash(keys, partitions), OptionalLong.empty());
  }

  /** The exchange's name as EXPLAIN prints it. */
  public String kindName() {
    return switch (target.kind()) {
      case HASH -> "hash repartition";
      case RANGE -> "range repartition";
      case SINGLE -> "gather";
      case REPLICATED -> "broadcast";
      case ANY -> throw new IllegalStateException("unreachable");
    };
  }

  @Override
  public Distribution distribution() {
    return target;
  }

  @Override
  public PhysicalPlan withChildren(List<PhysicalPlan> children) {
    Operators.requireCount(this, children, 1);
    return new Exchange(children.get(0), target, gatherBelowBytes);
  }
}
