package dev.quiver.shuffle.aggregate;

import java.math.BigDecimal;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * The sum of integers in 128 bits (a DECIMAL(38, 0) state), for AVG: averages of values near
 * BIGINT's limits (hashed ids) do not overflow, as DuckDB's HUGEINT sums do not. Merging folds in
 * other partial states, which are DECIMAL(38, 0) vectors.
 */
final class WideIntegerSumAccumulator extends VectorAccumulator implements SumAccumulator {
  private final AggregateCall call;
  private final DecimalVector sums;

  WideIntegerSumAccumulator(AggregateCall call, Field field, BufferAllocator allocator) {
    super(field, allocator);
    this.call = call;
    this.sums = (DecimalVector) state;
  }

  @Override
  public void update(FieldVector input, int[] groups, int rows) {
    ArrowBuf data = sums.getDataBuffer();
    ArrowBuf validity = sums.getValidityBuffer();
    boolean noNulls = input.getNullCount() == 0;
    BaseIntVector values = input instanceof BaseIntVector integers ? integers : null;
    ArrowBuf partial = values == null ? input.getDataBuffer() : null;
    try {
      for (int r = 0; r < rows; r++) {
        if (noNulls || !input.isNull(r)) {
          int g = groups[r];
          long low;
          long high;
          if (values != null) {
            low = values.getValueAsLong(r);
            high = low < 0 ? -1 : 0;
          } else {
            low = partial.getLong(r * 16L);
            high = partial.getLong(r * 16L + 8);
          }
          if (BitVectorHelper.get(validity, g) == 0) {
            BitVectorHelper.setBit(validity, g);
            data.setLong(g * 16L, low);
            data.setLong(g * 16L + 8, high);
          } else {
            long oldLow = data.getLong(g * 16L);
            long sumLow = oldLow + low;
            long carry = Long.compareUnsigned(sumLow, oldLow) < 0 ? 1 : 0;
            data.setLong(g * 16L, sumLow);
            data.setLong(
                g * 16L + 8, Math.addExact(Math.addExact(data.getLong(g * 16L + 8), high), carry));
          }
        }
      }
    } catch (ArithmeticException e) {
      throw new AggregateOverflowException(call + " overflows 128 bits", e);
    }
  }

  @Override
  public double sumAsDouble(int g) {
    BigDecimal sum = sums.getObject(g);
    return sum == null ? Double.NaN : sum.doubleValue();
  }
}
