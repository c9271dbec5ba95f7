package dev.quiver.shuffle.aggregate;

import java.util.List;
import org.apache.arrow.vector.FieldVector;

/**
 * An accumulator whose partial state is one column of the result's own type: merging partials is
 * folding their values in like input, and the state is exported as the result.
 */
abstract class SingleColumnAccumulator implements Accumulator {
  @Override
  public void merge(List<FieldVector> state, int[] groups, int rows) {
    update(state.get(0), groups, rows);
  }

  @Override
  public void exportState(List<FieldVector> targets, int groupCount) {
    exportResult(targets.get(0), groupCount);
  }
}
