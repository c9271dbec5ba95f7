package dev.quiver.server.exec;

import static java.util.Objects.requireNonNull;

import dev.quiver.shuffle.memory.HeapBudget;
import dev.quiver.shuffle.spill.SpillSpace;

/**
 * Whether and where a query's hash aggregations spill: above {@code budgetBytes} of groups, or when
 * their hash tables' heap arrays find no room in {@code heap}, each writes its groups to {@code
 * space} and goes on with an empty table (see {@link dev.quiver.shuffle.spill.SpillingAggregator}).
 *
 * @param space the node's spill space; null never spills (then the query's memory limit and heap
 *     budget bound the groups, and exceeding either fails with RESOURCE_EXHAUSTED)
 * @param budgetBytes bytes of groups one aggregation keeps in memory before it spills
 * @param heap where the aggregations' heap arrays are reserved: the query's share of the node's
 *     heap budget
 */
public record Spill(SpillSpace space, long budgetBytes, HeapBudget heap) {
  /** Never spills, and reserves heap without a limit. */
  public static final Spill NONE = new Spill(null, Long.MAX_VALUE, HeapBudget.unlimited());

  public Spill {
    if (budgetBytes < 1) {
      throw new IllegalArgumentException("budgetBytes must be positive: " + budgetBytes);
    }
    requireNonNull(heap, "heap is null");
  }

  /** The same space with another budget. */
  public Spill withBudget(long bytes) {
    return space == null ? this : new Spill(space, Math.max(1, bytes), heap);
  }

  /** The same space with a budget split {@code ways} ways, for aggregations that run together. */
  public Spill split(int ways) {
    return space == null
        ? this
        : new Spill(space, Math.max(1, budgetBytes / Math.max(1, ways)), heap);
  }

  /** The same spill, with heap arrays reserved in {@code heap}. */
  public Spill withHeap(HeapBudget heap) {
    return new Spill(space, budgetBytes, heap);
  }
}
