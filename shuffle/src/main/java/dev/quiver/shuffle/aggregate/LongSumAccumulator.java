package dev.quiver.shuffle.aggregate;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * SUM of integers into BIGINT, checked: a sum beyond BIGINT's range fails with {@link
 * AggregateOverflowException} rather than wrapping around.
 */
final class LongSumAccumulator extends VectorAccumulator implements SumAccumulator {
  private final AggregateCall call;
  private final BigIntVector sums;

  LongSumAccumulator(AggregateCall call, Field field, BufferAllocator allocator) {
    super(field, allocator);
    this.call = call;
    this.sums = (BigIntVector) state;
  }

  @Override
  public void update(FieldVector input, int[] groups, int rows) {
    BaseIntVector values = (BaseIntVector) input;
    ArrowBuf data = sums.getDataBuffer();
    ArrowBuf validity = sums.getValidityBuffer();
    boolean noNulls = input.getNullCount() == 0;
    try {
      for (int r = 0; r < rows; r++) {
        if (noNulls || !input.isNull(r)) {
          int g = groups[r];
          long value = values.getValueAsLong(r);
          if (BitVectorHelper.get(validity, g) == 0) {
            BitVectorHelper.setBit(validity, g);
            data.setLong(g * 8L, value);
          } else {
            data.setLong(g * 8L, Math.addExact(data.getLong(g * 8L), value));
          }
        }
      }
    } catch (ArithmeticException e) {
      throw new AggregateOverflowException(call + " overflows BIGINT", e);
    }
  }

  @Override
  public double sumAsDouble(int g) {
    return sums.isNull(g) ? Double.NaN : (double) sums.get(g);
  }
}
