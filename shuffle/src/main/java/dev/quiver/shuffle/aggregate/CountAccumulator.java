package dev.quiver.shuffle.aggregate;

import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.Field;

/** {@code COUNT(*)} and {@code COUNT(col)}: a BIGINT per group, never null. */
final class CountAccumulator implements Accumulator {
  private final BigIntVector counts;

  CountAccumulator(Field state, BufferAllocator allocator) {
    counts = (BigIntVector) state.createVector(allocator);
    counts.allocateNew();
  }

  @Override
  public void ensureGroups(int groups) {
    Accumulators.ensureCapacity(counts, groups);
  }

  @Override
  public void update(FieldVector input, int[] groups, int rows) {
    ArrowBuf data = counts.getDataBuffer();
    boolean all = input == null || input.getNullCount() == 0;
    for (int r = 0; r < rows; r++) {
      if (all || !input.isNull(r)) {
        long at = groups[r] * 8L;
        data.setLong(at, data.getLong(at) + 1);
      }
    }
  }

  @Override
  public void merge(List<FieldVector> state, int[] groups, int rows) {
    BigIntVector partial = (BigIntVector) state.get(0);
    ArrowBuf data = counts.getDataBuffer();
    for (int r = 0; r < rows; r++) {
      long at = groups[r] * 8L;
      data.setLong(at, data.getLong(at) + partial.get(r));
    }
  }

  @Override
  public void exportState(List<FieldVector> targets, int groupCount) {
    exportResult(targets.get(0), groupCount);
  }

  @Override
  public void exportResult(FieldVector target, int groupCount) {
    ensureGroups(groupCount);
    for (int g = 0; g < groupCount; g++) {
      BitVectorHelper.setBit(counts.getValidityBuffer(), g);
    }
    Accumulators.moveInto(counts, target, groupCount);
  }

  /** The count of group {@code g}, while the state is still here. */
  long count(int g) {
    return counts.getDataBuffer().getLong(g * 8L);
  }

  @Override
  public void close() {
    counts.close();
  }
}
