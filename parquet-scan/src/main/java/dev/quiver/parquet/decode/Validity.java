package dev.quiver.parquet.decode;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BitVectorHelper;

/** Validity bitmap helpers Arrow Java lacks. */
public final class Validity {
  private Validity() {}

  /** Marks rows {@code [from, from + n)} valid, a byte at a time where it can. */
  public static void setRange(ArrowBuf validity, int from, int n) {
    int i = from;
    int end = from + n;
    while (i < end && (i & 7) != 0) {
      BitVectorHelper.setBit(validity, i++);
    }
    while (i + 8 <= end) {
      validity.setByte(i >>> 3, 0xFF);
      i += 8;
    }
    while (i < end) {
      BitVectorHelper.setBit(validity, i++);
    }
  }
}
