package dev.quiver.server.exec;

import dev.quiver.shuffle.aggregate.AggregateLayout;
import dev.quiver.shuffle.spill.SpillingAggregator;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Merges batches of partial groups (a layout's partial schema): into the final groups (keys, then
 * each aggregate's value), or, {@link #intermediate merging} the partials of several scan threads,
 * partial groups again. One batch, or after a spill one per spill partition, each key in exactly
 * one of them. A global aggregate (no keys) always has its one group.
 */
public final class FinalAggregateOperator extends HashAggregateOperator {
  private final boolean finish;

  private FinalAggregateOperator(
      Operator input, AggregateLayout layout, ExecutionContext context, boolean finish) {
    super(input, layout, SpillingAggregator.Input.PARTIALS, context);
    this.finish = finish;
  }

  /** Merges partials into the final groups. */
  public static FinalAggregateOperator of(
      Operator partials, AggregateLayout layout, ExecutionContext context) {
    return new FinalAggregateOperator(partials, layout, context, true);
  }

  /** Merges partials into fewer partials, to be merged again later. */
  public static FinalAggregateOperator intermediate(
      Operator partials, AggregateLayout layout, ExecutionContext context) {
    return new FinalAggregateOperator(partials, layout, context, false);
  }

  @Override
  public Schema schema() {
    return finish ? aggregator.layout().resultSchema() : aggregator.layout().partialSchema();
  }

  @Override
  SpillingAggregator.Output output() {
    return finish ? SpillingAggregator.Output.RESULTS : SpillingAggregator.Output.PARTIALS;
  }
}
