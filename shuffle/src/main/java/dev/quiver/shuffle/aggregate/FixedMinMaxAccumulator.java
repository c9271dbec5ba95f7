package dev.quiver.shuffle.aggregate;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * MIN or MAX of a fixed-width column (numbers, decimals, dates, times, timestamps, booleans): the
 * best value so far per group, in a vector of the input's own type.
 */
final class FixedMinMaxAccumulator extends VectorAccumulator {
  private final boolean max;
  private final Order order;

  /** Compares two non-null values of the same type. */
  private interface Order {
    int compare(FieldVector a, int i, FieldVector b, int j);
  }

  FixedMinMaxAccumulator(Field field, boolean max, BufferAllocator allocator) {
    super(field, allocator);
    this.max = max;
    this.order = order(field.getType());
  }

  @Override
  public void update(FieldVector input, int[] groups, int rows) {
    boolean noNulls = input.getNullCount() == 0;
    for (int r = 0; r < rows; r++) {
      if (noNulls || !input.isNull(r)) {
        int g = groups[r];
        if (state.isNull(g) || better(order.compare(input, r, state, g))) {
          state.copyFrom(r, g, input);
        }
      }
    }
  }

  private boolean better(int comparison) {
    return max ? comparison > 0 : comparison < 0;
  }

  private static Order order(ArrowType type) {
    if (type instanceof ArrowType.Int integer) {
      if (integer.getIsSigned()) {
        return (a, i, b, j) ->
            Long.compare(
                ((BaseIntVector) a).getValueAsLong(i), ((BaseIntVector) b).getValueAsLong(j));
      }
      long mask = integer.getBitWidth() == 64 ? -1L : (1L << integer.getBitWidth()) - 1;
      return (a, i, b, j) ->
          Long.compareUnsigned(
              ((BaseIntVector) a).getValueAsLong(i) & mask,
              ((BaseIntVector) b).getValueAsLong(j) & mask);
    }
    if (type instanceof ArrowType.FloatingPoint) {
      return (a, i, b, j) ->
          Double.compare(
              ((FloatingPointVector) a).getValueAsDouble(i),
              ((FloatingPointVector) b).getValueAsDouble(j));
    }
    if (type instanceof ArrowType.Decimal) {
      return (a, i, b, j) -> Int128.compare(a.getDataBuffer(), i, b.getDataBuffer(), j);
    }
    if (type instanceof ArrowType.Bool) {
      return (a, i, b, j) -> Integer.compare(((BitVector) a).get(i), ((BitVector) b).get(j));
    }
    // Dates, times and timestamps: signed little-endian integers of the vector's width.
    return (a, i, b, j) -> {
      int width = ((BaseFixedWidthVector) a).getTypeWidth();
      return width == 4
          ? Integer.compare(a.getDataBuffer().getInt(i * 4L), b.getDataBuffer().getInt(j * 4L))
          : Long.compare(a.getDataBuffer().getLong(i * 8L), b.getDataBuffer().getLong(j * 8L));
    };
  }
}
