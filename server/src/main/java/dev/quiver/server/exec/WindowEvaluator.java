package dev.quiver.server.exec;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.expression.Column;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * Computes window functions over rows in window order ({@link WindowRows}), partition by partition,
 * into primitive arrays: ranks from the peer groups, LAG and LEAD by position, frame aggregates by
 * sliding over the frames (prefix sums for counts and exact sums, a monotonic queue for MIN and
 * MAX, a running sum for floating point when frames start at the partition's start, else a sum per
 * frame).
 */
final class WindowEvaluator {
  private final WindowRows rows;
  private final ExecutionContext context;
  private final Map<WindowFrame, FrameBounds> frames = new HashMap<>();

  WindowEvaluator(WindowRows rows, ExecutionContext context) {
    this.rows = requireNonNull(rows, "rows is null");
    this.context = requireNonNull(context, "context is null");
  }

  /** What {@code call} gives each row. */
  WindowValues evaluate(WindowCall call) {
    context.checkCancelled();
    return switch (call.function()) {
      case ROW_NUMBER, RANK, DENSE_RANK, NTILE -> rank(call);
      case PERCENT_RANK, CUME_DIST -> relativeRank(call.function());
      case LAG, LEAD -> shifted(call);
      case FIRST_VALUE, LAST_VALUE, NTH_VALUE -> framed(call);
      case MIN, MAX -> extreme(call);
      case COUNT -> count(call);
      case SUM, SUM0, AVG -> sum(call);
    };
  }

  private FrameBounds frames(WindowFrame frame) {
    return frames.computeIfAbsent(frame, f -> FrameBounds.of(rows, f));
  }

  private WindowValues rank(WindowCall call) {
    long[] values = new long[rows.size()];
    for (int p = 0; p < rows.partitionCount(); p++) {
      checkCancelled(p);
      int first = rows.partitionStart(p);
      int last = rows.partitionEnd(p);
      long dense = 0;
      long buckets = call.offset();
      long count = last - first;
      long small = buckets == 0 ? 0 : count / buckets;
      long large = buckets == 0 ? 0 : count % buckets;
      for (int i = first; i < last; i++) {
        if (rows.peerStart(i) == i) {
          dense++;
        }
        long index = i - first;
        values[i] =
            switch (call.function()) {
              case ROW_NUMBER -> index + 1;
              case RANK -> rows.peerStart(i) - first + 1;
              case DENSE_RANK -> dense;
              case NTILE ->
                  // The first `large` buckets hold one row more than the others.
                  index < large * (small + 1)
                      ? index / (small + 1) + 1
                      : (index - large * (small + 1)) / small + large + 1;
              default -> throw new IllegalStateException("unreachable");
            };
      }
    }
    return new WindowValues.Longs(values, null);
  }

  private WindowValues relativeRank(WindowFunction function) {
    double[] values = new double[rows.size()];
    for (int p = 0; p < rows.partitionCount(); p++) {
      checkCancelled(p);
      int first = rows.partitionStart(p);
      int last = rows.partitionEnd(p);
      double count = last - first;
      for (int i = first; i < last; i++) {
        values[i] =
            function == WindowFunction.PERCENT_RANK
                ? (count <= 1 ? 0 : (rows.peerStart(i) - first) / (count - 1))
                : (rows.peerEnd(i) - first) / count;
      }
    }
    return new WindowValues.Doubles(values, null);
  }

  private WindowValues shifted(WindowCall call) {
    int[] sources = new int[rows.size()];
    boolean withDefault = call.arguments().size() > 1;
    boolean[] defaulted = withDefault ? new boolean[rows.size()] : null;
    long offset = call.function() == WindowFunction.LAG ? -call.offset() : call.offset();
    for (int p = 0; p < rows.partitionCount(); p++) {
      checkCancelled(p);
      int first = rows.partitionStart(p);
      int last = rows.partitionEnd(p);
      for (int i = first; i < last; i++) {
        long source = i + offset;
        if (source >= first && source < last) {
          sources[i] = (int) source;
        } else if (withDefault) {
          sources[i] = i;
          defaulted[i] = true;
        } else {
          sources[i] = -1;
        }
      }
    }
    int column = call.arguments().get(0);
    return new WindowValues.Copies(
        sources, column, defaulted, withDefault ? call.arguments().get(1) : column);
  }

  private WindowValues framed(WindowCall call) {
    FrameBounds bounds = frames(call.frame());
    int[] sources = new int[rows.size()];
    for (int i = 0; i < sources.length; i++) {
      int start = bounds.starts()[i];
      int end = bounds.ends()[i];
      long source =
          switch (call.function()) {
            case FIRST_VALUE -> start;
            case LAST_VALUE -> end - 1;
            default -> start + call.offset() - 1;
          };
      sources[i] = start < end && source >= start && source < end ? (int) source : -1;
    }
    return new WindowValues.Copies(sources, call.arguments().get(0), null, 0);
  }

  /** MIN or MAX: the front of a queue of positions whose values only get worse towards its back. */
  private WindowValues extreme(WindowCall call) {
    FrameBounds bounds = frames(call.frame());
    Column column = rows.column(call.arguments().get(0));
    int sign = call.function() == WindowFunction.MIN ? 1 : -1;
    int[] sources = new int[rows.size()];
    int[] queue = new int[rows.size()];
    int head = 0;
    int tail = 0;
    int next = 0;
    for (int i = 0; i < sources.length; i++) {
      checkCancelled(i);
      int start = bounds.starts()[i];
      int end = bounds.ends()[i];
      if (next < start) {
        next = start;
      }
      for (; next < end; next++) {
        if (column.isNull(next)) {
          continue;
        }
        while (tail > head && sign * column.compare(queue[tail - 1], column, next) > 0) {
          tail--;
        }
        queue[tail++] = next;
      }
      while (tail > head && queue[head] < start) {
        head++;
      }
      sources[i] = tail > head ? queue[head] : -1;
    }
    return new WindowValues.Copies(sources, call.arguments().get(0), null, 0);
  }

  private WindowValues count(WindowCall call) {
    FrameBounds bounds = frames(call.frame());
    int[] present = call.arguments().isEmpty() ? null : nonNullCounts(call.arguments().get(0));
    long[] values = new long[rows.size()];
    for (int i = 0; i < values.length; i++) {
      int start = bounds.starts()[i];
      int end = bounds.ends()[i];
      values[i] = present == null ? end - start : present[end] - present[start];
    }
    return new WindowValues.Longs(values, null);
  }

  /** How many of the column's values before each position are not NULL ({@code size + 1}). */
  private int[] nonNullCounts(int input) {
    Column column = rows.column(input);
    int[] counts = new int[rows.size() + 1];
    for (int i = 0; i < rows.size(); i++) {
      counts[i + 1] = counts[i] + (column.isNull(i) ? 0 : 1);
    }
    return counts;
  }

  private WindowValues sum(WindowCall call) {
    FrameBounds bounds = frames(call.frame());
    int input = call.arguments().get(0);
    Column column = rows.column(input);
    int[] present = nonNullCounts(input);
    int size = rows.size();
    boolean[] nulls = new boolean[size];
    boolean average = call.function() == WindowFunction.AVG;
    for (int i = 0; i < size; i++) {
      int count = present[bounds.ends()[i]] - present[bounds.starts()[i]];
      nulls[i] = count == 0 && call.function() != WindowFunction.SUM0;
    }
    if (size == 0) {
      return new WindowValues.Longs(new long[0], null);
    }
    ArrowType type = column.type();
    if (type instanceof ArrowType.FloatingPoint) {
      double[] sums = floatingSums(column, bounds, call.frame());
      if (average) {
        for (int i = 0; i < size; i++) {
          sums[i] /= present[bounds.ends()[i]] - present[bounds.starts()[i]];
        }
      }
      return new WindowValues.Doubles(sums, nulls);
    }
    if (type instanceof ArrowType.Decimal) {
      // Prefix sums: exact, so a frame's sum is a difference of two.
      BigDecimal[] prefix = new BigDecimal[size + 1];
      prefix[0] = BigDecimal.ZERO;
      for (int i = 0; i < size; i++) {
        checkCancelled(i);
        prefix[i + 1] = column.isNull(i) ? prefix[i] : prefix[i].add((BigDecimal) column.get(i));
      }
      if (average) {
        double[] averages = new double[size];
        for (int i = 0; i < size; i++) {
          int count = present[bounds.ends()[i]] - present[bounds.starts()[i]];
          BigDecimal sum = prefix[bounds.ends()[i]].subtract(prefix[bounds.starts()[i]]);
          averages[i] = nulls[i] ? 0 : sum.doubleValue() / count;
        }
        return new WindowValues.Doubles(averages, nulls);
      }
      BigDecimal[] sums = new BigDecimal[size];
      for (int i = 0; i < size; i++) {
        sums[i] = nulls[i] ? null : prefix[bounds.ends()[i]].subtract(prefix[bounds.starts()[i]]);
      }
      return new WindowValues.Decimals(sums);
    }
    // Integers: prefix sums wrap around, but a frame's sum that fits is their exact difference.
    long[] prefix = new long[size + 1];
    for (int i = 0; i < size; i++) {
      prefix[i + 1] = column.isNull(i) ? prefix[i] : prefix[i] + column.longAt(i);
    }
    if (average) {
      double[] averages = new double[size];
      for (int i = 0; i < size; i++) {
        int count = present[bounds.ends()[i]] - present[bounds.starts()[i]];
        long sum = prefix[bounds.ends()[i]] - prefix[bounds.starts()[i]];
        averages[i] = nulls[i] ? 0 : (double) sum / count;
      }
      return new WindowValues.Doubles(averages, nulls);
    }
    long[] sums = new long[size];
    for (int i = 0; i < size; i++) {
      sums[i] = prefix[bounds.ends()[i]] - prefix[bounds.starts()[i]];
    }
    return new WindowValues.Longs(sums, nulls);
  }

  /**
   * Sums of floating point values added in window order: running when frames start at their
   * partition's start (no value is ever taken back out, which would round), else frame by frame.
   */
  private double[] floatingSums(Column column, FrameBounds bounds, WindowFrame frame) {
    int size = rows.size();
    double[] sums = new double[size];
    boolean running = frame.lower().kind() == FrameBound.Kind.UNBOUNDED_PRECEDING;
    double sum = 0;
    int next = 0;
    int start = -1;
    for (int i = 0; i < size; i++) {
      checkCancelled(i);
      if (!running || bounds.starts()[i] != start) {
        start = bounds.starts()[i];
        next = start;
        sum = 0;
      }
      for (; next < bounds.ends()[i]; next++) {
        if (!column.isNull(next)) {
          sum += column.doubleAt(next);
        }
      }
      sums[i] = sum;
    }
    return sums;
  }

  /** Checks for cancellation every so many steps of a loop. */
  private void checkCancelled(int step) {
    if ((step & 1023) == 0) {
      context.checkCancelled();
    }
  }
}
