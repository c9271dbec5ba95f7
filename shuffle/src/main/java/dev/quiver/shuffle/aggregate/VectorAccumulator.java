package dev.quiver.shuffle.aggregate;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * An accumulator whose state is one Arrow vector indexed by group id, of the result's own type:
 * merging a partial state is folding its values in like input, and the state moves out as it is.
 */
abstract class VectorAccumulator extends SingleColumnAccumulator {
  /** The state: one value per group; a group's slot is null until it has a value. */
  protected final FieldVector state;

  VectorAccumulator(Field field, BufferAllocator allocator) {
    state = field.createVector(allocator);
    state.allocateNew();
  }

  @Override
  public void ensureGroups(int groups) {
    Accumulators.ensureCapacity(state, groups);
  }

  @Override
  public void exportResult(FieldVector target, int groupCount) {
    ensureGroups(groupCount);
    Accumulators.moveInto(state, target, groupCount);
  }

  @Override
  public void close() {
    state.close();
  }
}
