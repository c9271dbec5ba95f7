package dev.quiver.shuffle.aggregate;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * Reads and writes of Arrow buffers in the kernel's per-row loops, checked once per batch instead
 * of once per value.
 *
 * <p>Arrow checks the bounds of every {@code ArrowBuf} access unless the whole JVM turns checking
 * off. The aggregation loops instead check, before each loop, that every index they will touch is
 * inside the buffer ({@link #require}), then access memory by address.
 */
final class Memory {
  private Memory() {}

  /**
   * The address of {@code buffer}, after checking that it holds {@code bytes} bytes.
   *
   * @throws IndexOutOfBoundsException if it does not
   */
  static long require(ArrowBuf buffer, long bytes) {
    if (bytes > buffer.capacity()) {
      throw new IndexOutOfBoundsException(
          "Buffer of " + buffer.capacity() + " bytes cannot hold " + bytes);
    }
    return buffer.memoryAddress();
  }

  static long getLong(long address, long index) {
    return MemoryUtil.getLong(address + index * 8);
  }

  static void putLong(long address, long index, long value) {
    MemoryUtil.putLong(address + index * 8, value);
  }

  static double getDouble(long address, long index) {
    return Double.longBitsToDouble(MemoryUtil.getLong(address + index * 8));
  }

  static void putDouble(long address, long index, double value) {
    MemoryUtil.putLong(address + index * 8, Double.doubleToRawLongBits(value));
  }

  /** Whether bit {@code index} of a validity bitmap is set. */
  static boolean isSet(long validity, int index) {
    return ((MemoryUtil.getByte(validity + (index >>> 3)) >> (index & 7)) & 1) != 0;
  }

  /** Sets bit {@code index} of a validity bitmap. */
  static void set(long validity, int index) {
    long at = validity + (index >>> 3);
    MemoryUtil.putByte(at, (byte) (MemoryUtil.getByte(at) | (1 << (index & 7))));
  }

  /** Bytes of a validity bitmap for {@code count} values. */
  static long bitmapBytes(int count) {
    return (count + 7L) >>> 3;
  }
}
