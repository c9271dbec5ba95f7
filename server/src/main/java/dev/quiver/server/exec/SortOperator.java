package dev.quiver.server.exec;

import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Sorts all of its input, then returns it in order in batches of at most {@code batchRows}. With a
 * limit it is a top-N: whenever it holds more than twice the limit (and at least a batch), it keeps
 * only the first {@code limit} rows, so memory stays proportional to the limit.
 */
public final class SortOperator extends InputOperator {
  private final Sorter sorter;
  private final long limit;
  private final int batchRows;
  private final VectorSchemaRoot output;
  private final int[] columns;
  private final ExecutionContext context;
  private long[] order;
  private int emitted;

  /**
   * @param limit the most rows wanted; {@code Long.MAX_VALUE} for all
   */
  public SortOperator(Operator input, List<SortKey> keys, long limit, ExecutionContext context) {
    super(input);
    this.context = context;
    this.sorter = new Sorter(keys, context.allocator());
    this.limit = limit;
    this.batchRows = context.maxBatchRows();
    this.output = VectorSchemaRoot.create(input.schema(), context.allocator());
    this.columns = new int[input.schema().getFields().size()];
    for (int c = 0; c < columns.length; c++) {
      columns[c] = c;
    }
  }

  @Override
  public Schema schema() {
    return output.getSchema();
  }

  @Override
  public boolean next() {
    if (order == null) {
      long compactAt = Math.max(2 * Math.min(limit, Integer.MAX_VALUE / 2), batchRows);
      while (input.next()) {
        context.checkCancelled();
        sorter.addMovedFrom(input.root());
        if (sorter.rowCount() > compactAt) {
          sorter.keepFirst(limit);
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

  @Override
  public VectorSchemaRoot root() {
    return output;
  }

  @Override
  protected void closeOwn() {
    try {
      sorter.close();
    } finally {
      output.close();
    }
  }
}
