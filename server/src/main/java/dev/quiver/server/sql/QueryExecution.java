package dev.quiver.server.sql;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.scan.FileSplit;
import dev.quiver.parquet.scan.ParquetBatchReader;
import dev.quiver.parquet.scan.ScanRequest;
import dev.quiver.parquet.scan.ScanStatistics;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Runs a {@link QueryPlan} over splits, one after the other: scans with the plan's filter, projects
 * each batch into one result root that outlives the splits, and stops at the plan's LIMIT without
 * reading further.
 *
 * <p>Plain columns move into the result without copying; computed columns are evaluated row by row.
 * The execution owns the result root and every reader; closing it releases them.
 */
public final class QueryExecution implements AutoCloseable {
  private final QueryPlan plan;
  private final List<FileSplit> splits;
  private final ScanRequest request;
  private final BufferAllocator allocator;
  private final VectorSchemaRoot result;

  private int nextSplit;
  private ParquetBatchReader reader;
  private ScanStatistics finished = ScanStatistics.EMPTY;
  private long rowsSent;

  /**
   * @param batches the batch limits; its columns and filter are ignored
   * @param allocator the stream's allocator; must outlive the execution
   */
  public QueryExecution(
      QueryPlan plan, List<FileSplit> splits, ScanRequest batches, BufferAllocator allocator) {
    this.plan = requireNonNull(plan, "plan is null");
    this.splits = List.copyOf(splits);
    this.request =
        new ScanRequest(
            plan.scanColumns(), plan.filter(), batches.maxBatchRows(), batches.targetBatchBytes());
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.result = VectorSchemaRoot.create(plan.schema(), allocator);
  }

  /** The current batch of results; refilled by {@link #next()}. */
  public VectorSchemaRoot root() {
    return result;
  }

  /**
   * Fills {@link #root()} with the next batch.
   *
   * @return false when the results are complete
   */
  public boolean next() {
    long limit = plan.limit().orElse(Long.MAX_VALUE);
    if (rowsSent >= limit) {
      closeReader();
      return false;
    }
    while (true) {
      if (reader == null) {
        if (nextSplit >= splits.size()) {
          return false;
        }
        reader =
            ParquetBatchReader.open(
                splits.get(nextSplit++), plan.dataset().schema(), request, allocator);
      }
      if (reader.next()) {
        int rows = project(reader.root());
        long kept = Math.min(rows, limit - rowsSent);
        if (kept < rows) {
          result.setRowCount((int) kept);
        }
        rowsSent += kept;
        return true;
      }
      closeReader();
    }
  }

  /** Rows returned so far. */
  public long rowsReturned() {
    return rowsSent;
  }

  /** The scan's counters so far. */
  public ScanStatistics statistics() {
    return reader == null ? finished : finished.plus(reader.statistics());
  }

  @Override
  public void close() {
    try {
      closeReader();
    } finally {
      result.close();
    }
  }

  private void closeReader() {
    if (reader != null) {
      ParquetBatchReader closing = reader;
      reader = null;
      finished = finished.plus(closing.statistics());
      closing.close();
    }
  }

  private int project(VectorSchemaRoot batch) {
    int rows = batch.getRowCount();
    List<QueryPlan.Projection> projections = plan.projections();
    Set<String> moved = new HashSet<>();
    for (int p = 0; p < projections.size(); p++) {
      FieldVector target = result.getVector(p);
      Expression expression = projections.get(p).expression();
      if (expression instanceof Expression.ColumnRef ref && moved.add(ref.field().getName())) {
        // Evaluate computed columns that read this one before it moves out of the batch.
        continue;
      }
      try {
        evaluate(expression, batch, rows, target);
      } catch (IllegalArgumentException | ArithmeticException e) {
        throw new QuiverException(
            ErrorCode.INVALID_ARGUMENT,
            "Cannot compute column '" + projections.get(p).name() + "': " + e.getMessage());
      }
    }
    for (int p = 0; p < projections.size(); p++) {
      Expression expression = projections.get(p).expression();
      if (expression instanceof Expression.ColumnRef ref && moved.remove(ref.field().getName())) {
        batch.getVector(ref.field().getName()).makeTransferPair(result.getVector(p)).transfer();
      }
    }
    result.setRowCount(rows);
    return rows;
  }

  private static void evaluate(
      Expression expression, VectorSchemaRoot batch, int rows, FieldVector target) {
    target.setInitialCapacity(rows);
    target.allocateNew();
    if (expression instanceof Expression.ColumnRef ref) {
      FieldVector source = batch.getVector(ref.field().getName());
      for (int i = 0; i < rows; i++) {
        target.copyFromSafe(i, i, source);
      }
      target.setValueCount(rows);
      return;
    }
    for (int i = 0; i < rows; i++) {
      Object value = expression.value(batch, i);
      if (value == null) {
        target.setNull(i);
      } else if (target instanceof BigIntVector v) {
        v.setSafe(i, ((Number) value).longValue());
      } else if (target instanceof IntVector v) {
        v.setSafe(i, ((Number) value).intValue());
      } else if (target instanceof Float8Vector v) {
        v.setSafe(i, ((Number) value).doubleValue());
      } else if (target instanceof Float4Vector v) {
        v.setSafe(i, ((Number) value).floatValue());
      } else if (target instanceof VarCharVector v) {
        v.setSafe(i, value.toString().getBytes(StandardCharsets.UTF_8));
      } else if (target instanceof BitVector v) {
        v.setSafe(i, (Boolean) value ? 1 : 0);
      } else {
        throw new IllegalStateException("Cannot write " + value + " into " + target.getField());
      }
    }
    target.setValueCount(rows);
  }
}
