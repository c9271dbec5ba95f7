package dev.quiver.server.physical;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Where a stage reads what an earlier stage sent through an exchange: the leaf the stage planner
 * puts in place of the exchange's input.
 *
 * @param stage the id of the stage that produces it
 * @param schema the rows' columns
 * @param distribution how they arrive spread over this stage's tasks (the exchange's target)
 */
public record RemoteSource(int stage, Schema schema, Distribution distribution)
    implements PhysicalPlan {
  public RemoteSource {
    requireNonNull(schema, "schema is null");
    requireNonNull(distribution, "distribution is null");
  }

  /** Every remote source in {@code plan}, in pre-order. */
  public static List<RemoteSource> all(PhysicalPlan plan) {
    List<RemoteSource> sources = new java.util.ArrayList<>();
    collect(plan, sources);
    return sources;
  }

  private static void collect(PhysicalPlan plan, List<RemoteSource> sources) {
    if (plan instanceof RemoteSource source) {
      sources.add(source);
    }
    for (PhysicalPlan child : plan.children()) {
      collect(child, sources);
    }
  }

  @Override
  public List<PhysicalPlan> children() {
    return List.of();
  }

  @Override
  public PhysicalPlan withChildren(List<PhysicalPlan> children) {
    Operators.requireCount(this, children, 0);
    return this;
  }
}
