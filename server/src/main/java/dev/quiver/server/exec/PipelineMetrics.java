package dev.quiver.server.exec;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The counters of a task's operators, by their position in the task's plan (pre-order: an operator,
 * then each of its inputs' subtrees in turn), shared by the threads that run copies of the
 * pipeline. {@link #metered} wraps an operator so that its {@code next()} calls count.
 */
public final class PipelineMetrics {
  private final AtomicLongArray rows;
  private final AtomicLongArray batches;
  private final AtomicLongArray nanos;

  /**
   * @param operators how many operators the plan has
   */
  public PipelineMetrics(int operators) {
    this.rows = new AtomicLongArray(operators);
    this.batches = new AtomicLongArray(operators);
    this.nanos = new AtomicLongArray(operators);
  }

  /** {@code operator}, counted as the plan's operator at {@code position}. */
  public Operator metered(Operator operator, int position) {
    return new Metered(operator, position);
  }

  /** The counters now, in plan order. */
  public List<OperatorCounters> snapshot() {
    List<OperatorCounters> counters = new ArrayList<>(rows.length());
    for (int i = 0; i < rows.length(); i++) {
      counters.add(new OperatorCounters(rows.get(i), batches.get(i), nanos.get(i)));
    }
    return counters;
  }

  private final class Metered extends ForwardingOperator {
    private final int position;

    Metered(Operator input, int position) {
      super(input);
      this.position = position;
    }

    @Override
    public boolean next() {
      long started = System.nanoTime();
      boolean more = false;
      try {
        more = input.next();
        return more;
      } finally {
        nanos.addAndGet(position, System.nanoTime() - started);
        if (more) {
          batches.incrementAndGet(position);
          rows.addAndGet(position, input.root().getRowCount());
        }
      }
    }
  }
}
