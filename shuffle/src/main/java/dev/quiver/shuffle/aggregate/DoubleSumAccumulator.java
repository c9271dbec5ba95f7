package dev.quiver.shuffle.aggregate;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.types.pojo.Field;

/** SUM of FLOAT or DOUBLE into DOUBLE. */
final class DoubleSumAccumulator extends VectorAccumulator implements SumAccumulator {
  private final Float8Vector sums;

  /**
   * Groups {@code [0, validPrefix)} all have a sum (their validity bits are set; bits are never
   * cleared while the state lives): {@link #addKnownGroups} adds to them without reading the bit.
   */
  private int validPrefix;

  DoubleSumAccumulator(Field field, BufferAllocator allocator) {
    super(field, allocator);
    this.sums = (Float8Vector) state;
  }

  @Override
  public void update(FieldVector input, int[] groups, int rows) {
    if (input instanceof Float8Vector doubles && input.getNullCount() == 0) {
      addDoubles(doubles, groups, rows);
      return;
    }
    FloatingPointVector values = (FloatingPointVector) input;
    ArrowBuf data = sums.getDataBuffer();
    ArrowBuf validity = sums.getValidityBuffer();
    boolean noNulls = input.getNullCount() == 0;
    for (int r = 0; r < rows; r++) {
      if (noNulls || !input.isNull(r)) {
        int g = groups[r];
        double value = values.getValueAsDouble(r);
        if (BitVectorHelper.get(validity, g) == 0) {
          BitVectorHelper.setBit(validity, g);
          data.setDouble(g * 8L, value);
        } else {
          data.setDouble(g * 8L, data.getDouble(g * 8L) + value);
        }
      }
    }
  }

  /** The common case, DOUBLE input without nulls, by address (group ids are below capacity). */
  private void addDoubles(Float8Vector input, int[] groups, int rows) {
    int capacity = sums.getValueCapacity();
    long in = Memory.require(input.getDataBuffer(), rows * 8L);
    long data = Memory.require(sums.getDataBuffer(), capacity * 8L);
    long validity = Memory.require(sums.getValidityBuffer(), Memory.bitmapBytes(capacity));
    for (int r = 0; r < rows; r++) {
      int g = groups[r];
      add(data, validity, capacity, g, Memory.getDouble(in, r));
    }
  }

  /**
   * Looks up and adds in one pass, for one 8-byte integer key column without nulls: adds the rows
   * from 0 on whose key already has a group in the direct table {@code direct} (value {@code base +
   * i} at index {@code i}, as {@link GroupTable#directIds()}), up to the first row whose key has
   * none or lies outside.
   *
   * @param keys the address of the key column's values, {@code rows} of them
   * @param input DOUBLE values without nulls
   * @return the number of rows added, from row 0
   */
  int addKnownGroups(long keys, int[] direct, long base, Float8Vector input, int rows) {
    int capacity = sums.getValueCapacity();
    long in = Memory.require(input.getDataBuffer(), rows * 8L);
    long data = Memory.require(sums.getDataBuffer(), capacity * 8L);
    long validity = Memory.require(sums.getValidityBuffer(), Memory.bitmapBytes(capacity));
    int valid = validPrefix(validity, capacity);
    int length = direct.length;
    for (int r = 0; r < rows; r++) {
      long offset = Memory.getLong(keys, r) - base; // wraps negative when far outside
      if (offset < 0 || offset >= length) {
        return r;
      }
      int g = direct[(int) offset] - 1;
      if (g < 0) {
        return r;
      }
      double value = Memory.getDouble(in, r);
      if (g < valid) {
        Memory.putDouble(data, g, Memory.getDouble(data, g) + value);
      } else {
        add(data, validity, capacity, g, value);
      }
    }
    return rows;
  }

  /**
   * Extends {@link #validPrefix} over the groups whose bits are set since, up to the first without
   * a sum; each group is passed over once in the state's life (a group without a sum stops it where
   * it is until it gets one).
   */
  private int validPrefix(long validity, int capacity) {
    int valid = validPrefix;
    while (valid < capacity) {
      if ((valid & 7) == 0 && valid + 8 <= capacity) {
        if (MemoryUtil.getByte(validity + (valid >>> 3)) == (byte) 0xFF) {
          valid += 8;
          continue;
        }
      }
      if (!Memory.isSet(validity, valid)) {
        break;
      }
      valid++;
    }
    validPrefix = valid;
    return valid;
  }

  @Override
  public void exportResult(FieldVector target, int groupCount) {
    super.exportResult(target, groupCount);
    validPrefix = 0; // the state moved out with its bits
  }

  /** Adds {@code value} to group {@code g}'s sum at {@code data}, the first making it non-null. */
  private static void add(long data, long validity, int capacity, int g, double value) {
    if (g >= capacity) {
      throw new IndexOutOfBoundsException("Group " + g + " beyond " + capacity);
    }
    if (Memory.isSet(validity, g)) {
      Memory.putDouble(data, g, Memory.getDouble(data, g) + value);
    } else {
      Memory.set(validity, g);
      Memory.putDouble(data, g, value);
    }
  }

  @Override
  public double sumAsDouble(int g) {
    return sums.isNull(g) ? Double.NaN : sums.get(g);
  }
}
