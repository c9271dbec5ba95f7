package dev.quiver.server.exec;

import dev.quiver.shuffle.aggregate.AggregateLayout;
import dev.quiver.shuffle.spill.SpillingAggregator;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The partial hash aggregate: consumes every batch of its input (the layout's keys, then its
 * arguments) and emits partial groups in the layout's partial schema (keys, then each aggregate's
 * state): one batch, or after a spill one batch per run, where a key may come more than once),
 * ready to be merged with other partials by a {@link FinalAggregateOperator} here or on the node
 * that owns their partition.
 */
public final class PartialAggregateOperator extends HashAggregateOperator {
  public PartialAggregateOperator(
      Operator input, AggregateLayout layout, ExecutionContext context) {
    super(input, layout, SpillingAggregator.Input.ROWS, context);
  }

  @Override
  public Schema schema() {
    return aggregator.layout().partialSchema();
  }

  @Override
  SpillingAggregator.Output output() {
    return SpillingAggregator.Output.PARTIALS;
  }
}
