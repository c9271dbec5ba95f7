package dev.quiver.server.exec;

import java.util.List;

/**
 * What one operator of a task did: batches and rows it handed on, and the time spent in its {@code
 * next()} calls, its inputs' included (summed over the threads that ran it).
 */
public record OperatorCounters(long rows, long batches, long nanos) {
  public static final OperatorCounters NONE = new OperatorCounters(0, 0, 0);

  public OperatorCounters plus(OperatorCounters other) {
    return new OperatorCounters(rows + other.rows, batches + other.batches, nanos + other.nanos);
  }

  /** Adds {@code more} to {@code into} element by element, growing it as needed. */
  public static List<OperatorCounters> sum(
      List<OperatorCounters> into, List<OperatorCounters> more) {
    List<OperatorCounters> sum = new java.util.ArrayList<>(into);
    for (int i = 0; i < more.size(); i++) {
      if (i < sum.size()) {
        sum.set(i, sum.get(i).plus(more.get(i)));
      } else {
        sum.add(more.get(i));
      }
    }
    return sum;
  }
}
