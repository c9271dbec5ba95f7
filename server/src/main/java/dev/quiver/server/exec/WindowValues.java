package dev.quiver.server.exec;

import java.math.BigDecimal;
import java.math.RoundingMode;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;

/**
 * What one window function computed for every row, by position in window order ({@link
 * WindowRows}); written out a batch at a time.
 */
sealed interface WindowValues {
  /**
   * Allocates {@code target} and fills its rows {@code 0 .. to - from} with the values at positions
   * {@code [from, to)}.
   */
  void write(FieldVector target, int from, int to, WindowRows rows);

  /** Integers (ranks, counts, sums of integers); a null flag where {@code nulls} says. */
  record Longs(long[] values, boolean[] nulls) implements WindowValues {
    @Override
    public void write(FieldVector target, int from, int to, WindowRows rows) {
      allocate(target, to - from);
      BaseIntVector ints = (BaseIntVector) target;
      for (int i = from; i < to; i++) {
        if (nulls != null && nulls[i]) {
          target.setNull(i - from);
        } else {
          ints.setWithPossibleTruncate(i - from, values[i]);
        }
      }
      target.setValueCount(to - from);
    }
  }

  /** Floating point numbers (averages, sums of doubles, relative ranks). */
  record Doubles(double[] values, boolean[] nulls) implements WindowValues {
    @Override
    public void write(FieldVector target, int from, int to, WindowRows rows) {
      allocate(target, to - from);
      for (int i = from; i < to; i++) {
        if (nulls != null && nulls[i]) {
          target.setNull(i - from);
        } else if (target instanceof Float4Vector floats) {
          floats.set(i - from, (float) values[i]);
        } else {
          ((Float8Vector) target).set(i - from, values[i]);
        }
      }
      target.setValueCount(to - from);
    }
  }

  /** Decimals (sums of decimals), null where a value is. */
  record Decimals(BigDecimal[] values) implements WindowValues {
    @Override
    public void write(FieldVector target, int from, int to, WindowRows rows) {
      allocate(target, to - from);
      DecimalVector decimals = (DecimalVector) target;
      for (int i = from; i < to; i++) {
        if (values[i] == null) {
          target.setNull(i - from);
        } else {
          decimals.set(i - from, values[i].setScale(decimals.getScale(), RoundingMode.HALF_UP));
        }
      }
      target.setValueCount(to - from);
    }
  }

  /**
   * Values copied from the input: the row at position {@code sources[i]} of input column {@code
   * column}, or, where {@code defaulted[i]}, of {@code defaultColumn}; NULL where the source is -1.
   *
   * @param defaulted null when no value comes from {@code defaultColumn}
   */
  record Copies(int[] sources, int column, boolean[] defaulted, int defaultColumn)
      implements WindowValues {
    @Override
    public void write(FieldVector target, int from, int to, WindowRows rows) {
      allocate(target, to - from);
      for (int i = from; i < to; i++) {
        if (sources[i] < 0) {
          target.setNull(i - from);
        } else {
          int source = defaulted != null && defaulted[i] ? defaultColumn : column;
          rows.copy(sources[i], source, target, i - from);
        }
      }
      target.setValueCount(to - from);
    }
  }

  private static void allocate(FieldVector target, int rows) {
    target.setInitialCapacity(rows);
    target.allocateNew();
  }
}
