package dev.quiver.server.exec;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.scan.FileSplit;
import dev.quiver.parquet.scan.ScanStatistics;
import java.util.Iterator;
import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The rows of splits that no column is read from and no filter applies to ({@code COUNT(*)} of a
 * whole dataset, {@code SELECT 1 FROM t}): batches with no columns whose row counts come from the
 * files' footers, so that no page is read or decoded. Batches have at most the context's {@code
 * maxBatchRows} rows.
 */
public final class FooterRowsOperator implements Operator {
  private static final Schema NO_COLUMNS = new Schema(List.of());

  private final Iterator<FileSplit> splits;
  private final ExecutionContext context;
  private final VectorSchemaRoot root;
  private long pending;
  private ScanStatistics statistics = ScanStatistics.EMPTY;

  /**
   * @param splits hands out the row groups to count, as they are asked for (several operators may
   *     share one)
   */
  public FooterRowsOperator(Iterator<FileSplit> splits, ExecutionContext context) {
    this.splits = requireNonNull(splits, "splits is null");
    this.context = requireNonNull(context, "context is null");
    this.root = VectorSchemaRoot.create(NO_COLUMNS, context.allocator());
  }

  @Override
  public Schema schema() {
    return NO_COLUMNS;
  }

  @Override
  public boolean next() {
    context.checkCancelled();
    while (pending == 0) {
      if (!splits.hasNext()) {
        return false;
      }
      FileSplit split = splits.next();
      pending = split.rowCount();
      statistics =
          statistics.plus(
              new ScanStatistics(
                  split.firstRowGroup() == 0 ? 1 : 0,
                  0,
                  split.endRowGroup() - split.firstRowGroup(),
                  0,
                  0,
                  0,
                  0,
                  0,
                  0,
                  0,
                  0,
                  0,
                  0,
                  0,
                  0));
    }
    int rows = (int) Math.min(pending, context.maxBatchRows());
    pending -= rows;
    root.setRowCount(rows);
    statistics =
        statistics.plus(new ScanStatistics(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, rows, 1));
    return true;
  }

  @Override
  public VectorSchemaRoot root() {
    return root;
  }

  @Override
  public ScanStatistics statistics() {
    return statistics;
  }

  @Override
  public void close() {
    root.close();
  }
}
