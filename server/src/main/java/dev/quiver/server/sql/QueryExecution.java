package dev.quiver.server.sql;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.scan.FileSplit;
import dev.quiver.parquet.scan.ScanStatistics;
import dev.quiver.server.exec.ExecutionContext;
import dev.quiver.server.exec.Operator;
import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Runs a {@link QueryPlan} over splits as the pipeline {@link Pipelines#result} builds: scan (with
 * pushdown) → filter (the residual) → project → sort or top-N (ORDER BY) → limit; the result's
 * columns move into one root that the stream was started with.
 *
 * <p>The execution owns its operators and their batches; {@link #root()} is valid until the next
 * {@link #next()}; closing the execution releases everything.
 */
public final class QueryExecution implements AutoCloseable {
  private final Operator pipeline;
  private final VectorSchemaRoot result;
  private long rowsReturned;

  /**
   * @param context the stream's context; its allocator must outlive the execution
   */
  public QueryExecution(QueryPlan plan, List<FileSplit> splits, ExecutionContext context) {
    this(
        Pipelines.result(requireNonNull(plan, "plan is null"), splits, context),
        plan.schema(),
        context);
  }

  /**
   * Runs {@code pipeline}, whose batches have at least {@code schema}'s columns first; the
   * execution owns the pipeline from now on (and closes it if this constructor fails).
   *
   * @param context the stream's context; its allocator must outlive the execution
   */
  public QueryExecution(Operator pipeline, Schema schema, ExecutionContext context) {
    this.pipeline = requireNonNull(pipeline, "pipeline is null");
    try {
      this.result = VectorSchemaRoot.create(schema, context.allocator());
    } catch (RuntimeException e) {
      pipeline.close();
      throw e;
    }
  }

  /** The current batch of results; refilled by {@link #next()}. */
  public VectorSchemaRoot root() {
    return result;
  }

  /**
   * Makes the next batch of results current.
   *
   * @return false when the results are complete
   */
  public boolean next() {
    if (!pipeline.next()) {
      return false;
    }
    VectorSchemaRoot batch = pipeline.root();
    for (int c = 0; c < result.getFieldVectors().size(); c++) {
      batch.getVector(c).makeTransferPair(result.getVector(c)).transfer();
    }
    result.setRowCount(batch.getRowCount());
    rowsReturned += batch.getRowCount();
    return true;
  }

  /** Rows returned so far. */
  public long rowsReturned() {
    return rowsReturned;
  }

  /** The scan's counters so far. */
  public ScanStatistics statistics() {
    return pipeline.statistics();
  }

  @Override
  public void close() {
    try {
      pipeline.close();
    } finally {
      result.close();
    }
  }
}
