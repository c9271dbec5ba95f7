package dev.quiver.shuffle.aggregate;

import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.Field;

/** {@code COUNT(*)} and {@code COUNT(col)}: a BIGINT per group, never null. */
final class CountAccumulator extends VectorAccumulator {
  private final BigIntVector counts;

  CountAccumulator(Field field, BufferAllocator allocator) {
    super(field, allocator);
    counts = (BigIntVector) state;
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
  public void exportResult(FieldVector target, int groupCount) {
    ensureGroups(groupCount);
    for (int g = 0; g < groupCount; g++) {
      BitVectorHelper.setBit(counts.getValidityBuffer(), g);
    }
    super.exportResult(target, groupCount);
  }

  /** The count of group {@code g}, while the state is still here. */
  long count(int g) {
    return counts.getDataBuffer().getLong(g * 8L);
  }
}
