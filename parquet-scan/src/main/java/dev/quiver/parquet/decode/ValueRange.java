package dev.quiver.parquet.decode;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeMilliVector;
import org.apache.arrow.vector.TimeNanoVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.parquet.column.statistics.IntStatistics;
import org.apache.parquet.column.statistics.LongStatistics;
import org.apache.parquet.column.statistics.Statistics;

/**
 * The min and max a column chunk's statistics give for its signed integers, checked against the
 * values decoded: a value outside them means the page is damaged (a writer such as DuckDB writes no
 * page checksums, so flipped bytes otherwise decode to plausible numbers). One pass over values
 * already in cache, without bounds checks per value.
 */
final class ValueRange {
  private final long min;
  private final long max;
  private final int width;

  private ValueRange(long min, long max, int width) {
    this.min = min;
    this.max = max;
    this.width = width;
  }

  /**
   * The range to check for {@code column} read into {@code vector}, or null when there is nothing
   * to check: no statistics, unsigned or decimal values, or a type compared in another order.
   */
  static ValueRange of(FieldVector vector, Statistics<?> statistics) {
    if (statistics == null || statistics.isEmpty() || !statistics.hasNonNullValue()) {
      return null;
    }
    if (statistics instanceof IntStatistics s
        && (vector instanceof IntVector
            || vector instanceof DateDayVector
            || vector instanceof TimeMilliVector)) {
      return new ValueRange(s.getMin(), s.getMax(), 4);
    }
    if (statistics instanceof LongStatistics s
        && (vector instanceof BigIntVector
            || vector instanceof TimeStampVector
            || vector instanceof TimeMicroVector
            || vector instanceof TimeNanoVector)) {
      return new ValueRange(s.getMin(), s.getMax(), 8);
    }
    return null;
  }

  /** Checks values {@code [index, index + n)} of {@code data}, which holds at least that many. */
  void check(ArrowBuf data, int index, int n, String column) {
    long address = data.memoryAddress() + (long) index * width;
    long low = Long.MAX_VALUE;
    long high = Long.MIN_VALUE;
    if (width == 8) {
      for (int k = 0; k < n; k++) {
        long value = MemoryUtil.getLong(address + ((long) k << 3));
        low = Math.min(low, value);
        high = Math.max(high, value);
      }
    } else {
      for (int k = 0; k < n; k++) {
        long value = MemoryUtil.getInt(address + ((long) k << 2));
        low = Math.min(low, value);
        high = Math.max(high, value);
      }
    }
    if (n > 0) {
      check(low, high, column);
    }
  }

  /** Fails if {@code [low, high]} is not within the statistics' range. */
  void check(long low, long high, String column) {
    if (low < min || high > max) {
      long outside = low < min ? low : high;
      throw new DamagedColumnException(
          column,
          "has value "
              + outside
              + " outside its column chunk's statistics ["
              + min
              + ", "
              + max
              + "]: the page is damaged");
    }
  }
}
