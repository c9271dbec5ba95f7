package dev.quiver.shuffle.aggregate;

import org.apache.arrow.memory.ArrowBuf;

/** Two's-complement 128-bit decimals as Arrow stores them: low word first, little-endian. */
final class Int128 {
  /** 10^38 split into words: the first magnitude a DECIMAL(38, s) cannot hold. */
  private static final long LIMIT_HIGH = 0x4b3b4ca85a86c47aL;

  private static final long LIMIT_LOW = 0x098a224000000000L;

  private Int128() {}

  /**
   * Adds the value at {@code from[fromIndex]} into {@code into[intoIndex]}.
   *
   * @throws ArithmeticException if the sum leaves the signed 128-bit range
   */
  static void addInto(ArrowBuf into, int intoIndex, ArrowBuf from, int fromIndex) {
    long at = intoIndex * 16L;
    long low = into.getLong(at);
    long high = into.getLong(at + 8);
    long addLow = from.getLong(fromIndex * 16L);
    long addHigh = from.getLong(fromIndex * 16L + 8);
    long sumLow = low + addLow;
    long carry = Long.compareUnsigned(sumLow, low) < 0 ? 1 : 0;
    long sumHigh = Math.addExact(Math.addExact(high, addHigh), carry);
    into.setLong(at, sumLow);
    into.setLong(at + 8, sumHigh);
  }

  /** Whether the value at {@code index} has at most 38 decimal digits. */
  static boolean fitsPrecision38(ArrowBuf data, int index) {
    long low = data.getLong(index * 16L);
    long high = data.getLong(index * 16L + 8);
    if (high < 0) {
      low = ~low + 1;
      high = ~high + (low == 0 ? 1 : 0);
    }
    return high < LIMIT_HIGH || (high == LIMIT_HIGH && Long.compareUnsigned(low, LIMIT_LOW) < 0);
  }

  /** Compares two values as signed 128-bit integers. */
  static int compare(ArrowBuf a, int i, ArrowBuf b, int j) {
    int high = Long.compare(a.getLong(i * 16L + 8), b.getLong(j * 16L + 8));
    return high != 0 ? high : Long.compareUnsigned(a.getLong(i * 16L), b.getLong(j * 16L));
  }
}
