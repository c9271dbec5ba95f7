package dev.quiver.server.exec;

import dev.quiver.shuffle.aggregate.AggregateLayout;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The partial hash aggregate: consumes every batch of its input (the layout's keys, then its
 * arguments) and emits one batch of partial groups in the layout's partial schema (keys, then each
 * aggregate's state), ready to be merged with other partials by a {@link FinalAggregateOperator}
 * here or on the node that owns their partition.
 */
public final class PartialAggregateOperator extends HashAggregateOperator {
  public PartialAggregateOperator(
      Operator input, AggregateLayout layout, ExecutionContext context) {
    super(input, layout, context);
  }

  @Override
  public Schema schema() {
    return aggregator.layout().partialSchema();
  }

  @Override
  void add(VectorSchemaRoot batch) {
    aggregator.addInput(batch);
  }

  @Override
  VectorSchemaRoot take() {
    return aggregator.takePartial();
  }
}
