package dev.quiver.server.exec;

import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Sorts all of its input, then returns it in order in batches of at most {@code batchRows}. With a
 * limit it is a top-N: whenever it holds more than twice the limit (and at least a batch), it keeps
 * only the first {@code limit} rows, so memory stays proportional to the limit; after that, a batch
 * none of whose rows sorts before the last row kept is passed over after a look at its keys.
 */
public final class SortOperator extends InputOperator {
  private final Sorter sorter;
  private final SpillingSorter full;
  private Operator fullOutput;
  private final long limit;
  private final int batchRows;
  private final VectorSchemaRoot output;
  private final int[] columns;
  private final ExecutionContext context;
  private final TopNBound bound;
  private long[] order;
  private int emitted;

  /**
   * @param limit the most rows wanted; {@code Long.MAX_VALUE} for all
   */
  public SortOperator(Operator input, List<SortKey> keys, long limit, ExecutionContext context) {
    this(input, keys, limit, context, null);
  }

  /**
   * A top-N that tells {@code bound} its n-th row's first key as it goes, so that the scan under it
   * skips what cannot enter.
   *
   * @param bound null for none; its key must be {@code keys}' first
   */
  public SortOperator(
      Operator input, List<SortKey> keys, long limit, ExecutionContext context, TopNBound bound) {
    super(input);
    this.bound = limit == Long.MAX_VALUE || limit <= 0 ? null : bound;
    this.context = context;
    this.limit = limit;
    this.batchRows = context.maxBatchRows();
    this.columns = new int[input.schema().getFields().size()];
    for (int c = 0; c < columns.length; c++) {
      columns[c] = c;
    }
    if (limit == Long.MAX_VALUE) {
      // A full sort holds every row: it spills sorted runs beyond the context's budget.
      this.sorter = null;
      this.output = null;
      this.full =
          new SpillingSorter(
              keys,
              input.schema(),
              context.allocator(),
              context.spill(),
              context.queryId(),
              batchRows);
    } else {
      // A top-N holds at most about twice its limit: compacted in memory.
      this.full = null;
      this.sorter = new Sorter(keys, context.allocator());
      this.output = VectorSchemaRoot.create(input.schema(), context.allocator());
    }
  }

  @Override
  public Schema schema() {
    return input.schema();
  }

  @Override
  public boolean next() {
    if (full != null) {
      if (fullOutput == null) {
        while (input.next()) {
          context.checkCancelled();
          full.addMovedFrom(input.root());
        }
        fullOutput = full.sorted(input.schema(), columns);
      }
      context.checkCancelled();
      return fullOutput.next();
    }
    if (order == null) {
      long compactAt = Math.max(2 * Math.min(limit, Integer.MAX_VALUE / 2), batchRows);
      // Once the sorter holds just the first `limit` rows in order (one batch), a batch with no
      // row before the last of them cannot change the answer: it is read for its keys only; one
      // that has such rows is added and the first `limit` rows taken again at once.
      boolean compacted = false;
      while (input.next()) {
        context.checkCancelled();
        if (compacted) {
          if (sorter.anyBefore(input.root(), limit - 1)) {
            sorter.addMovedFrom(input.root());
            sorter.keepFirst(limit);
            tighten();
          }
          continue;
        }
        sorter.addMovedFrom(input.root());
        if (sorter.rowCount() > compactAt || bound != null && sorter.rowCount() > limit) {
          sorter.keepFirst(limit);
          compacted = limit > 0 && sorter.rowCount() == limit;
          if (compacted) {
            tighten();
          }
        }
      }
      order = sorter.sorted(limit);
    }
    if (emitted >= order.length) {
      return false;
    }
    int to = Math.min(order.length, emitted + batchRows);
    sorter.fill(output, order, emitted, to, columns);
    emitted = to;
    return true;
  }

  /** Tells the bound the first key of the n-th row, the last of the one batch the sorter holds. */
  private void tighten() {
    if (bound != null) {
      bound.tighten(sorter.parts().get(0).getVector(bound.key().column()), (int) (limit - 1));
    }
  }

  @Override
  public VectorSchemaRoot root() {
    return full != null ? fullOutput.root() : output;
  }

  @Override
  protected void closeOwn() {
    if (full != null) {
      try (full) {
        if (fullOutput != null) {
          fullOutput.close();
        }
      }
      return;
    }
    try {
      sorter.close();
    } finally {
      output.close();
    }
  }
}
