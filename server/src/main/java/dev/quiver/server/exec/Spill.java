package dev.quiver.server.exec;

import dev.quiver.shuffle.spill.SpillSpace;

/**
 * Whether and where a query's hash aggregations spill: above {@code budgetBytes} of groups, each
 * writes them to {@code space} and goes on with an empty table (see {@link
 * dev.quiver.shuffle.spill.SpillingAggregator}).
 *
 * @param space the node's spill space; null never spills (then the query's memory limit bounds the
 *     groups, and exceeding it fails with RESOURCE_EXHAUSTED)
 * @param budgetBytes bytes of groups one aggregation keeps in memory before it spills
 */
public record Spill(SpillSpace space, long budgetBytes) {
  /** Never spills. */
  public static final Spill NONE = new Spill(null, Long.MAX_VALUE);

  public Spill {
    if (budgetBytes < 1) {
      throw new IllegalArgumentException("budgetBytes must be positive: " + budgetBytes);
    }
  }

  /** The same space with another budget. */
  public Spill withBudget(long bytes) {
    return space == null ? this : new Spill(space, Math.max(1, bytes));
  }

  /** The same space with a budget split {@code ways} ways, for aggregations that run together. */
  public Spill split(int ways) {
    return space == null ? this : new Spill(space, Math.max(1, budgetBytes / Math.max(1, ways)));
  }
}
