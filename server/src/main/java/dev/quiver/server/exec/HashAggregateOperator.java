package dev.quiver.server.exec;

import static java.util.Objects.requireNonNull;

import dev.quiver.shuffle.aggregate.AggregateLayout;
import dev.quiver.shuffle.spill.BatchSource;
import dev.quiver.shuffle.spill.SpillingAggregator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A hash aggregate: consumes every batch of its input into a {@link SpillingAggregator} on the
 * first {@link #next()} and then emits its groups: one batch when they fitted the context's spill
 * budget, else one batch per spill run or partition. The operator owns each batch until the next
 * {@link #next()}. What a batch adds and what comes out is the step's: {@link
 * PartialAggregateOperator} or {@link FinalAggregateOperator}.
 */
abstract sealed class HashAggregateOperator extends InputOperator
    permits PartialAggregateOperator, FinalAggregateOperator {
  protected final SpillingAggregator aggregator;
  private final ExecutionContext context;
  private BatchSource output;
  private VectorSchemaRoot groups;
  private long emitted;

  HashAggregateOperator(
      Operator input,
      AggregateLayout layout,
      SpillingAggregator.Input kind,
      ExecutionContext context) {
    super(input);
    this.context = requireNonNull(context, "context is null");
    Spill spill = context.spill();
    this.aggregator =
        new SpillingAggregator(
            layout,
            kind,
            context.allocator(),
            spill.budgetBytes(),
            spill.space(),
            context.queryId(),
            spill.heap());
  }

  /** What comes out: partial groups or final ones. */
  abstract SpillingAggregator.Output output();

  @Override
  public final boolean next() {
    if (output == null) {
      while (input.next()) {
        context.checkCancelled();
        aggregator.add(input.root());
      }
      output = aggregator.finish(output());
    }
    closeGroups();
    context.checkCancelled();
    groups = output.next();
    if (groups == null) {
      return false;
    }
    emitted += groups.getRowCount();
    return true;
  }

  /** Groups emitted so far; once {@link #next()} returned false, all of them. */
  public long groupCount() {
    return emitted;
  }

  /** How many times the groups went to disk. */
  public int spills() {
    return aggregator.spills();
  }

  @Override
  public final VectorSchemaRoot root() {
    return groups;
  }

  private void closeGroups() {
    if (groups != null) {
      groups.close();
      groups = null;
    }
  }

  @Override
  protected final void closeOwn() {
    try {
      closeGroups();
    } finally {
      try {
        if (output != null) {
          output.close();
        }
      } finally {
        aggregator.close();
      }
    }
  }
}
