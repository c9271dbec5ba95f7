package dev.quiver.server.query;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.exec.Spill;
import dev.quiver.server.exec.SpillingSorter;
import dev.quiver.server.sql.AggregatePlan;
import dev.quiver.server.sql.Query;
import dev.quiver.server.sql.QueryPlan;
import dev.quiver.shuffle.exchange.Allocators;
import dev.quiver.shuffle.spill.BatchSource;
import dev.quiver.shuffle.spill.BatchStore;
import dev.quiver.shuffle.spill.SpillingAggregator;
import java.time.Duration;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * One query's state on one node. For an aggregation: the partial result of its scan, and the final
 * aggregator of the partition this node owns. For a distributed sort: the rows its scan kept, and
 * the rows of the range this node owns. All of it lives in the fragment's own allocator, a named
 * child of the root with the query's memory limit, except what spilled to disk: an aggregation's
 * partial result and its owner's groups spill beyond the fragment's {@link Spill} budget, and their
 * files go when the fragment is freed.
 *
 * <p>Stages run inside {@link #enter()}/{@link #exit()}. {@link #release()} marks the fragment
 * cancelled and frees it as soon as no stage runs; a running stage sees {@link #isCancelled()} and
 * stops, and the last one out frees it.
 */
final class Fragment {
  private final String queryId;
  private final Query plan;
  private final BufferAllocator allocator;
  private final long deadlineNanos;
  private final Runnable onFree;
  private final Spill spill;
  private volatile boolean cancelled;
  private int running;
  private boolean closed;
  private BatchStore partial;
  private SpillingAggregator owned;
  private BatchStore kept;
  private SpillingSorter range;
  private final int batchRows;

  /**
   * @param allocator the fragment's allocator; the fragment owns and closes it
   * @param spill where and beyond what budget the fragment's aggregation state and sorted range
   *     spill; its heap budget is the query's, which the fragment closes when it is freed
   * @param batchRows rows per batch of a sorted range's runs and output
   * @param onFree runs once the fragment's memory is freed
   */
  Fragment(
      String queryId,
      Query plan,
      BufferAllocator allocator,
      Duration ttl,
      Spill spill,
      int batchRows,
      Runnable onFree) {
    this.batchRows = batchRows;
    this.onFree = requireNonNull(onFree, "onFree is null");
    this.spill = requireNonNull(spill, "spill is null");
    this.queryId = requireNonNull(queryId, "queryId is null");
    this.plan = requireNonNull(plan, "plan is null");
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.deadlineNanos = System.nanoTime() + ttl.toNanos();
  }

  String queryId() {
    return queryId;
  }

  /** The aggregation this fragment runs. */
  AggregatePlan plan() {
    return (AggregatePlan) plan;
  }

  /** The sorted query this fragment runs. */
  QueryPlan sortedQuery() {
    return (QueryPlan) plan;
  }

  /**
   * Keeps rows of a sorted query's scan until they are shuffled (in memory up to half the spill
   * budget, on disk beyond); takes ownership of them, and frees them at once when the query was
   * released meanwhile.
   */
  synchronized void keep(VectorSchemaRoot rows) {
    if (cancelled || closed) {
      rows.close();
      checkNotCancelled();
      throw new QuiverException(ErrorCode.CANCELLED, "Query " + queryId + " has ended");
    }
    if (kept == null) {
      kept =
          new BatchStore(
              rows.getSchema(),
              allocator,
              Math.max(1, spill.budgetBytes() / 2),
              spill.space(),
              queryId);
    }
    kept.add(rows);
  }

  /** Hands the kept rows over to the caller, who then owns them; null when none were kept. */
  synchronized BatchStore takeKept() {
    BatchStore taken = kept;
    kept = null;
    return taken;
  }

  /**
   * The rows of the range this node owns, held for sorting (spilling sorted runs beyond the
   * budget); created by the first rows, null while none came.
   */
  synchronized SpillingSorter range() {
    return range;
  }

  BufferAllocator allocator() {
    return allocator;
  }

  /** Where and beyond what budget the fragment's aggregation state spills. */
  Spill spill() {
    return spill;
  }

  boolean isCancelled() {
    return cancelled;
  }

  boolean isExpired(long nowNanos) {
    return nowNanos - deadlineNanos > 0;
  }

  /** Starts a stage; fails if the fragment was released. */
  synchronized void enter() {
    if (cancelled || closed) {
      throw new QuiverException(
          ErrorCode.CANCELLED, "Query " + queryId + " was cancelled or has expired on this node");
    }
    running++;
  }

  /** Ends a stage; frees the fragment if it was released meanwhile. */
  synchronized void exit() {
    running--;
    if (cancelled && running == 0) {
      free();
    }
  }

  /** Throws CANCELLED if the query was released while a stage runs. */
  void checkNotCancelled() {
    if (cancelled) {
      throw new QuiverException(ErrorCode.CANCELLED, "Query " + queryId + " was cancelled");
    }
  }

  /**
   * Keeps the partial result until it is gathered or shuffled; takes ownership of it, and frees it
   * at once when the query was released meanwhile.
   */
  synchronized void setPartial(BatchStore result) {
    if (cancelled || closed) {
      result.close();
      checkNotCancelled();
      throw new QuiverException(ErrorCode.CANCELLED, "Query " + queryId + " has ended");
    }
    if (partial != null) {
      partial.close();
    }
    partial = result;
  }

  /**
   * Hands the partial result over to the caller, who then owns it.
   *
   * @throws QuiverException NOT_FOUND if there is none
   */
  synchronized BatchStore takePartial() {
    if (partial == null) {
      throw new QuiverException(
          ErrorCode.NOT_FOUND, "Query " + queryId + " has no partial result on this node");
    }
    BatchStore taken = partial;
    partial = null;
    return taken;
  }

  /** Merges a batch of partials of the partition this node owns; the batch is only read. */
  synchronized void mergeOwned(VectorSchemaRoot batch) {
    checkNotCancelled();
    if (plan instanceof QueryPlan sorted) {
      if (range == null) {
        range =
            new SpillingSorter(
                sorted.order(), batch.getSchema(), allocator, spill, queryId, batchRows);
      }
      range.addMovedFrom(batch);
      return;
    }
    owned().add(batch);
  }

  private SpillingAggregator owned() {
    if (owned == null) {
      owned =
          new SpillingAggregator(
              plan().layout(),
              SpillingAggregator.Input.PARTIALS,
              allocator,
              spill.budgetBytes(),
              spill.space(),
              queryId,
              spill.heap());
    }
    return owned;
  }

  /**
   * The final groups of the partition this node owns, handed out in batches the caller owns (one
   * batch unless the groups spilled, then one per spill partition). An owner that received nothing
   * has no groups, except for a global aggregate (one group always). The source reads spill files
   * the fragment still owns: close it before the fragment is freed (stages run inside {@link
   * #enter()}/{@link #exit()}, which ensures that).
   */
  synchronized BatchSource takeOwnedResult() {
    return owned().finish(SpillingAggregator.Output.RESULTS);
  }

  /** Marks the fragment cancelled and frees it unless a stage is running. */
  synchronized void release() {
    cancelled = true;
    if (running == 0) {
      free();
    }
  }

  private void free() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (partial != null) {
        partial.close();
        partial = null;
      }
      if (owned != null) {
        owned.close();
        owned = null;
      }
      if (kept != null) {
        kept.close();
        kept = null;
      }
      if (range != null) {
        range.close();
        range = null;
      }
    } finally {
      spill.heap().close();
      Allocators.closeWhenReleased(allocator, Duration.ofSeconds(5));
      onFree.run();
    }
  }
}
