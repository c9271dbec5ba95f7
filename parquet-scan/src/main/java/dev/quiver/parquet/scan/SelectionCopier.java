package dev.quiver.parquet.scan;

import dev.quiver.parquet.decode.Validity;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;

/**
 * Copies the selected rows of a vector into another: fixed-width values run by run (consecutive
 * selected rows are one block copy, which is what a range filter on a sorted column produces), any
 * other vector row by row.
 */
final class SelectionCopier {
  private SelectionCopier() {}

  /**
   * Fills {@code target} with rows {@code selection[0..count)} of {@code source}.
   *
   * @param target a vector of the source's type; its previous contents are released
   */
  static void copy(FieldVector source, int[] selection, int count, FieldVector target) {
    target.setInitialCapacity(count);
    target.allocateNew();
    if (source instanceof BaseFixedWidthVector fixed && !(source instanceof BitVector)) {
      copyRuns(fixed, selection, count, target);
    } else {
      for (int i = 0; i < count; i++) {
        target.copyFromSafe(selection[i], i, source);
      }
    }
    target.setValueCount(count);
  }

  private static void copyRuns(
      BaseFixedWidthVector source, int[] selection, int count, FieldVector target) {
    long width = source.getTypeWidth();
    ArrowBuf from = source.getDataBuffer();
    ArrowBuf to = target.getDataBuffer();
    ArrowBuf fromValidity = source.getValidityBuffer();
    ArrowBuf toValidity = target.getValidityBuffer();
    boolean noNulls = source.getNullCount() == 0;
    int i = 0;
    while (i < count) {
      int start = i;
      int first = selection[i];
      while (i + 1 < count && selection[i + 1] == selection[i] + 1) {
        i++;
      }
      int length = i - start + 1;
      to.setBytes(start * width, from, first * width, length * width);
      if (noNulls) {
        Validity.setRange(toValidity, start, length);
      } else {
        for (int k = 0; k < length; k++) {
          if (BitVectorHelper.get(fromValidity, first + k) == 1) {
            BitVectorHelper.setBit(toValidity, start + k);
          }
        }
      }
      i++;
    }
  }
}
