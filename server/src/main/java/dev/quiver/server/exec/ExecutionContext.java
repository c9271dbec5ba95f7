package dev.quiver.server.exec;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.scan.ScanRequest;
import org.apache.arrow.memory.BufferAllocator;

/**
 * What every operator of one query (or one stream) runs with: the query's id, for messages; its
 * allocator, a named child of the root with the query's memory limit, where every batch lives; the
 * cancellation check, which throws CANCELLED once the query was released or the client went away;
 * the batch limits; and where its hash aggregations spill.
 *
 * @param allocator outlives every operator built from this context
 * @param cancellation throws to stop the query; operators call it once per batch
 * @param maxBatchRows most rows per batch an operator emits
 * @param targetBatchBytes bytes a scan batch aims at
 * @param spill whether and where hash aggregations spill
 */
public record ExecutionContext(
    String queryId,
    BufferAllocator allocator,
    Runnable cancellation,
    int maxBatchRows,
    long targetBatchBytes,
    Spill spill) {
  public ExecutionContext {
    requireNonNull(queryId, "queryId is null");
    requireNonNull(allocator, "allocator is null");
    requireNonNull(cancellation, "cancellation is null");
    requireNonNull(spill, "spill is null");
    if (maxBatchRows < 1) {
      throw new IllegalArgumentException("maxBatchRows must be positive: " + maxBatchRows);
    }
  }

  /** A context whose aggregations never spill. */
  public ExecutionContext(
      String queryId,
      BufferAllocator allocator,
      Runnable cancellation,
      int maxBatchRows,
      long targetBatchBytes) {
    this(queryId, allocator, cancellation, maxBatchRows, targetBatchBytes, Spill.NONE);
  }

  /** This context with aggregations spilling as {@code spill} says. */
  public ExecutionContext withSpill(Spill spill) {
    return new ExecutionContext(
        queryId, allocator, cancellation, maxBatchRows, targetBatchBytes, spill);
  }

  /** A context with the batch limits of {@code batches} (its columns and filter are ignored). */
  public static ExecutionContext of(
      String queryId, BufferAllocator allocator, Runnable cancellation, ScanRequest batches) {
    return new ExecutionContext(
        queryId, allocator, cancellation, batches.maxBatchRows(), batches.targetBatchBytes());
  }

  /** Throws CANCELLED if the query should stop. */
  public void checkCancelled() {
    cancellation.run();
  }
}
