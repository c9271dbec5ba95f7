package dev.quiver.server.exec;

import static java.util.Objects.requireNonNull;

import dev.quiver.shuffle.aggregate.AggregateLayout;
import dev.quiver.shuffle.aggregate.HashAggregator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A hash aggregate: consumes every batch of its input into a {@link HashAggregator} on the first
 * {@link #next()} and then emits its groups as one batch, which it owns until closed. What a batch
 * adds and what comes out is the step's: {@link PartialAggregateOperator} or {@link
 * FinalAggregateOperator}.
 */
abstract sealed class HashAggregateOperator extends InputOperator
    permits PartialAggregateOperator, FinalAggregateOperator {
  protected final HashAggregator aggregator;
  private final ExecutionContext context;
  private VectorSchemaRoot groups;
  private boolean done;

  HashAggregateOperator(Operator input, AggregateLayout layout, ExecutionContext context) {
    super(input);
    this.context = requireNonNull(context, "context is null");
    this.aggregator = new HashAggregator(layout, context.allocator());
  }

  /** Adds one input batch to the aggregator. */
  abstract void add(VectorSchemaRoot batch);

  /** Moves the groups out of the aggregator. */
  abstract VectorSchemaRoot take();

  @Override
  public final boolean next() {
    if (done) {
      return false;
    }
    done = true;
    while (input.next()) {
      context.checkCancelled();
      add(input.root());
    }
    groups = take();
    return true;
  }

  /** Groups aggregated so far. */
  public int groupCount() {
    return aggregator.groupCount();
  }

  @Override
  public final VectorSchemaRoot root() {
    return groups;
  }

  @Override
  protected final void closeOwn() {
    try {
      aggregator.close();
    } finally {
      if (groups != null) {
        groups.close();
      }
    }
  }
}
