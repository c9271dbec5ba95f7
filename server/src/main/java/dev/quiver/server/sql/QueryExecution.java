package dev.quiver.server.sql;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.scan.FileSplit;
import dev.quiver.parquet.scan.ScanRequest;
import dev.quiver.parquet.scan.ScanStatistics;
import dev.quiver.server.exec.FilterOperator;
import dev.quiver.server.exec.LimitOperator;
import dev.quiver.server.exec.Operator;
import dev.quiver.server.exec.ProjectOperator;
import dev.quiver.server.exec.ScanOperator;
import dev.quiver.server.exec.SortOperator;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Runs a {@link QueryPlan} over splits as a pipeline of operators: scan (with pushdown) → filter
 * (the residual) → project → sort or top-N (ORDER BY) → limit; the result's columns move into one
 * root that the stream was started with.
 *
 * <p>The execution owns its operators and their batches; {@link #root()} is valid until the next
 * {@link #next()}; closing the execution releases everything.
 */
public final class QueryExecution implements AutoCloseable {
  private final Operator pipeline;
  private final VectorSchemaRoot result;
  private long rowsReturned;

  /**
   * @param batches the batch limits; its columns and filter are ignored
   * @param allocator the stream's allocator; must outlive the execution
   */
  public QueryExecution(
      QueryPlan plan, List<FileSplit> splits, ScanRequest batches, BufferAllocator allocator) {
    requireNonNull(plan, "plan is null");
    Operator operator = rows(plan, splits, batches, allocator);
    try {
      long limit = plan.limit().orElse(Long.MAX_VALUE);
      if (!plan.order().isEmpty()) {
        operator =
            new SortOperator(operator, plan.order(), limit, batches.maxBatchRows(), allocator);
      } else if (plan.limit().isPresent()) {
        operator = new LimitOperator(operator, limit);
      }
    } catch (RuntimeException e) {
      operator.close();
      throw e;
    }
    this.pipeline = operator;
    this.result = VectorSchemaRoot.create(plan.schema(), allocator);
  }

  /**
   * The rows of {@code plan} before ORDER BY and LIMIT: scan with pushdown, residual filter, the
   * computed columns (ORDER BY's hidden ones too). The caller owns the operator.
   *
   * @param batches the batch limits; its columns and filter are ignored
   */
  public static Operator rows(
      QueryPlan plan, List<FileSplit> splits, ScanRequest batches, BufferAllocator allocator) {
    List<String> columns = plan.scanColumns();
    if (columns.isEmpty()) {
      // Nothing but constants: read the narrowest way to count rows.
      columns = List.of(plan.dataset().schema().getFields().get(0).getName());
    }
    ScanRequest request =
        new ScanRequest(columns, plan.filter(), batches.maxBatchRows(), batches.targetBatchBytes());
    Operator operator = new ScanOperator(splits, plan.dataset().schema(), request, allocator);
    try {
      if (plan.residual() != null) {
        operator = new FilterOperator(operator, plan.residual(), allocator);
      }
      if (!plan.projectsScanAsIs()) {
        operator = project(operator, plan.projections(), allocator);
      }
      return operator;
    } catch (RuntimeException e) {
      operator.close();
      throw e;
    }
  }

  private static Operator project(
      Operator input, List<Projection> projections, BufferAllocator allocator) {
    return new ProjectOperator(
        input,
        projections.stream().map(Projection::field).toList(),
        projections.stream().map(Projection::expression).toList(),
        allocator);
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
