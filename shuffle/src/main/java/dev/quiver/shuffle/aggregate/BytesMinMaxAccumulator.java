package dev.quiver.shuffle.aggregate;

import java.util.Arrays;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;

/**
 * MIN or MAX of a string or binary column, ordered by unsigned bytes (for UTF-8, code point order).
 *
 * <p>The best value per group is kept as a byte array, because a variable-width Arrow vector can
 * only be filled in index order; candidates are compared in the input's buffer and copied out only
 * when they win.
 */
final class BytesMinMaxAccumulator extends SingleColumnAccumulator {
  private final boolean max;
  private byte[][] best = new byte[16][];
  private long valueBytes;

  BytesMinMaxAccumulator(boolean max) {
    this.max = max;
  }

  @Override
  public void ensureGroups(int groups) {
    if (best.length < groups) {
      best = Arrays.copyOf(best, Math.max(groups, best.length * 2));
    }
  }

  @Override
  public void update(FieldVector input, int[] groups, int rows) {
    BaseVariableWidthVector values = (BaseVariableWidthVector) input;
    ArrowBuf data = values.getDataBuffer();
    boolean noNulls = input.getNullCount() == 0;
    for (int r = 0; r < rows; r++) {
      if (noNulls || !input.isNull(r)) {
        int g = groups[r];
        long start = values.getStartOffset(r);
        int length = (int) (values.getStartOffset(r + 1) - start);
        byte[] current = best[g];
        if (current == null || better(compare(data, start, length, current))) {
          byte[] value = new byte[length];
          data.getBytes(start, value);
          valueBytes += length - (current == null ? 0 : current.length);
          best[g] = value;
        }
      }
    }
  }

  private boolean better(int comparison) {
    return max ? comparison > 0 : comparison < 0;
  }

  private static int compare(ArrowBuf data, long start, int length, byte[] other) {
    int common = Math.min(length, other.length);
    for (int k = 0; k < common; k++) {
      int difference = Byte.toUnsignedInt(data.getByte(start + k)) - Byte.toUnsignedInt(other[k]);
      if (difference != 0) {
        return difference;
      }
    }
    return Integer.compare(length, other.length);
  }

  @Override
  public void exportResult(FieldVector target, int groupCount) {
    ensureGroups(groupCount);
    BaseVariableWidthVector values = (BaseVariableWidthVector) target;
    values.allocateNew(groupCount);
    for (int g = 0; g < groupCount; g++) {
      if (best[g] == null) {
        values.setNull(g);
      } else {
        values.setSafe(g, best[g]);
      }
    }
    values.setValueCount(groupCount);
    best = new byte[16][];
    valueBytes = 0;
  }

  @Override
  public long heapBytes() {
    // Each value: its bytes plus an array header (16) and the reference to it (8).
    return valueBytes + 24L * best.length;
  }

  @Override
  public void close() {
    best = new byte[0][];
    valueBytes = 0;
  }
}
