package dev.quiver.shuffle.aggregate;

import java.math.BigDecimal;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * SUM of DECIMAL(p, s) into DECIMAL(38, s), adding the 128-bit unscaled values exactly. A sum of
 * more than 38 digits fails with {@link AggregateOverflowException}.
 */
final class DecimalSumAccumulator extends VectorAccumulator implements SumAccumulator {
  private final AggregateCall call;
  private final DecimalVector sums;

  DecimalSumAccumulator(AggregateCall call, Field field, BufferAllocator allocator) {
    super(field, allocator);
    this.call = call;
    this.sums = (DecimalVector) state;
  }

  @Override
  public void update(FieldVector input, int[] groups, int rows) {
    ArrowBuf from = input.getDataBuffer();
    ArrowBuf data = sums.getDataBuffer();
    ArrowBuf validity = sums.getValidityBuffer();
    boolean noNulls = input.getNullCount() == 0;
    try {
      for (int r = 0; r < rows; r++) {
        if (noNulls || !input.isNull(r)) {
          int g = groups[r];
          if (BitVectorHelper.get(validity, g) == 0) {
            BitVectorHelper.setBit(validity, g);
            data.setLong(g * 16L, from.getLong(r * 16L));
            data.setLong(g * 16L + 8, from.getLong(r * 16L + 8));
          } else {
            Int128.addInto(data, g, from, r);
          }
        }
      }
    } catch (ArithmeticException e) {
      throw overflow();
    }
  }

  /** The partial state moves out unchecked: only the final sum must fit 38 digits. */
  @Override
  public void exportState(List<FieldVector> targets, int groupCount) {
    super.exportResult(targets.get(0), groupCount);
  }

  @Override
  public void exportResult(FieldVector target, int groupCount) {
    ensureGroups(groupCount);
    for (int g = 0; g < groupCount; g++) {
      if (!sums.isNull(g) && !Int128.fitsPrecision38(sums.getDataBuffer(), g)) {
        throw overflow();
      }
    }
    super.exportResult(target, groupCount);
  }

  @Override
  public double sumAsDouble(int g) {
    BigDecimal sum = sums.getObject(g);
    return sum == null ? Double.NaN : sum.doubleValue();
  }

  private AggregateOverflowException overflow() {
    return new AggregateOverflowException(
        call + " overflows DECIMAL(" + AggregateCall.MAX_DECIMAL_PRECISION + ")");
  }
}
