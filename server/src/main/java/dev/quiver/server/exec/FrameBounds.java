package dev.quiver.server.exec;

import dev.quiver.server.expression.Column;

/**
 * Each row's frame as positions in window order: {@code [start(i), end(i))}, within its partition,
 * empty when {@code end <= start}. Starts and ends never decrease from one row to the next (every
 * bound is a fixed distance from the row, in rows or in value), which lets aggregates slide over
 * them.
 */
record FrameBounds(int[] starts, int[] ends) {
  /** The frames of every row of {@code rows}. */
  static FrameBounds of(WindowRows rows, WindowFrame frame) {
    int size = rows.size();
    int[] starts = new int[size];
    int[] ends = new int[size];
    for (int p = 0; p < rows.partitionCount(); p++) {
      int first = rows.partitionStart(p);
      int last = rows.partitionEnd(p);
      for (int i = first; i < last; i++) {
        int start = bound(rows, frame, frame.lower(), i, first, last, true);
        int end = bound(rows, frame, frame.upper(), i, first, last, false);
        starts[i] = start;
        ends[i] = Math.max(start, end);
      }
    }
    return new FrameBounds(starts, ends);
  }

  /**
   * Where {@code bound} puts the frame of row {@code i} of partition {@code [first, last)}: its
   * first position when {@code lower}, else the position after its last.
   */
  private static int bound(
      WindowRows rows,
      WindowFrame frame,
      FrameBound bound,
      int i,
      int first,
      int last,
      boolean lower) {
    long offset = bound.offset();
    switch (bound.kind()) {
      case UNBOUNDED_PRECEDING:
        return first;
      case UNBOUNDED_FOLLOWING:
        return last;
      case CURRENT_ROW:
        if (frame.rows()) {
          return lower ? i : i + 1;
        }
        return lower ? rows.peerStart(i) : rows.peerEnd(i);
      case PRECEDING:
        if (frame.rows()) {
          return (int) Math.max(first, Math.min(last, i - offset + (lower ? 0 : 1)));
        }
        return byValue(rows, i, first, last, -offset, lower);
      case FOLLOWING:
        if (frame.rows()) {
          return (int) Math.max(first, Math.min(last, i + offset + (lower ? 0 : 1)));
        }
        return byValue(rows, i, first, last, offset, lower);
      default:
        throw new IllegalStateException("unreachable");
    }
  }

  /**
   * A RANGE bound {@code distance} away from row {@code i}'s value of the (one, numeric) order key,
   * in the direction it sorts: the first row at least that far when {@code lower}, else the first
   * row beyond it. A row whose key is NULL has its peers (the other NULLs) as its frame.
   */
  private static int byValue(
      WindowRows rows, int i, int first, int last, long distance, boolean lower) {
    Column key = rows.firstOrderKey();
    if (key.isNull(i)) {
      return lower ? rows.peerStart(i) : rows.peerEnd(i);
    }
    SortKey sort = rows.firstOrderKeySort();
    // The non-null keys lie together, first or last in the partition.
    int from = first;
    int to = last;
    if (sort.nullsFirst()) {
      while (from < to && key.isNull(from)) {
        from = rows.peerEnd(from);
      }
    } else {
      while (to > from && key.isNull(to - 1)) {
        to = rows.peerStart(to - 1);
      }
    }
    double direction = sort.descending() ? -1 : 1;
    double target = direction * value(key, i) + distance;
    // The first position in [from, to) whose key (in sort direction) is >= target (lower) or >
    // target (upper); keys increase in sort direction.
    int low = from;
    int high = to;
    while (low < high) {
      int middle = (low + high) >>> 1;
      double value = direction * value(key, middle);
      if (lower ? value < target : value <= target) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    return low;
  }

  private static double value(Column key, int position) {
    return key.type() instanceof org.apache.arrow.vector.types.pojo.ArrowType.FloatingPoint
        ? key.doubleAt(position)
        : key.longAt(position);
  }
}
