package dev.quiver.server.query;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.exec.Spill;
import dev.quiver.server.physical.PhysicalPlan;
import dev.quiver.shuffle.exchange.Allocators;
import dev.quiver.shuffle.spill.BatchStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * One query's state on one node: the outputs its tasks kept here until they are read or sent on,
 * and the tasks opened here that take the rows exchanges send them (each with its {@link Inbox})
 * until their output is read. All of it lives in the fragment's own allocator, a named child of the
 * root with the query's memory limit, except what spilled to disk beyond the fragment's {@link
 * Spill} budget; spill files go when the fragment is freed.
 *
 * <p>Tasks run inside {@link #enter()}/{@link #exit()}. {@link #release()} marks the fragment
 * cancelled and frees it as soon as no task runs; a running task sees {@link #isCancelled()} and
 * stops, and the last one out frees it.
 */
final class Fragment {
  /** A task of the query by stage and index. */
  record TaskKey(int stage, int task) implements Comparable<TaskKey> {
    @Override
    public int compareTo(TaskKey other) {
      return stage != other.stage
          ? Integer.compare(stage, other.stage)
          : Integer.compare(task, other.task);
    }

    @Override
    public String toString() {
      return "task " + task + " of stage " + stage;
    }
  }

  /** A task opened here: its plan, run when its output is read, and the rows it received. */
  record OpenedTask(PhysicalPlan plan, Inbox inbox) {}

  private final String queryId;
  private final BufferAllocator allocator;
  private final long deadlineNanos;
  private final Runnable onFree;
  private final Spill spill;
  private final int batchRows;
  private volatile boolean cancelled;
  private int running;
  private boolean closed;
  private final Map<TaskKey, BatchStore> kept = new TreeMap<>();
  private final Map<TaskKey, OpenedTask> opened = new TreeMap<>();

  /**
   * @param allocator the fragment's allocator; the fragment owns and closes it
   * @param spill where and beyond what budget the fragment's state spills; its heap budget is the
   *     query's, which the fragment closes when it is freed
   * @param batchRows rows per batch of what the fragment's inboxes hand out
   * @param onFree runs once the fragment's memory is freed
   */
  Fragment(
      String queryId,
      BufferAllocator allocator,
      Duration ttl,
      Spill spill,
      int batchRows,
      Runnable onFree) {
    this.batchRows = batchRows;
    this.onFree = requireNonNull(onFree, "onFree is null");
    this.spill = requireNonNull(spill, "spill is null");
    this.queryId = requireNonNull(queryId, "queryId is null");
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.deadlineNanos = System.nanoTime() + ttl.toNanos();
  }

  String queryId() {
    return queryId;
  }

  BufferAllocator allocator() {
    return allocator;
  }

  /** Where and beyond what budget the fragment's state spills. */
  Spill spill() {
    return spill;
  }

  int batchRows() {
    return batchRows;
  }

  boolean isCancelled() {
    return cancelled;
  }

  boolean isExpired(long nowNanos) {
    return nowNanos - deadlineNanos > 0;
  }

  /** Starts a task; fails if the fragment was released. */
  synchronized void enter() {
    if (cancelled || closed) {
      throw new QuiverException(
          ErrorCode.CANCELLED, "Query " + queryId + " was cancelled or has expired on this node");
    }
    running++;
  }

  /** Ends a task; frees the fragment if it was released meanwhile. */
  synchronized void exit() {
    running--;
    if (cancelled && running == 0) {
      free();
    }
  }

  /** Throws CANCELLED if the query was released while a task runs. */
  void checkNotCancelled() {
    if (cancelled) {
      throw new QuiverException(ErrorCode.CANCELLED, "Query " + queryId + " was cancelled");
    }
  }

  /**
   * Keeps a task's output until it is read or sent on; takes ownership of it, and frees it at once
   * when the query was released meanwhile.
   */
  synchronized void keep(TaskKey task, BatchStore output) {
    if (cancelled || closed) {
      output.close();
      checkNotCancelled();
      throw new QuiverException(ErrorCode.CANCELLED, "Query " + queryId + " has ended");
    }
    BatchStore before = kept.put(task, output);
    if (before != null) {
      before.close();
    }
  }

  /**
   * Hands the outputs kept here of every task of {@code stage} over to the caller, who then owns
   * them, in task order; empty when there are none.
   */
  synchronized List<BatchStore> takeKept(int stage) {
    List<BatchStore> taken = new ArrayList<>();
    kept.entrySet()
        .removeIf(
            entry -> {
              if (entry.getKey().stage() == stage) {
                taken.add(entry.getValue());
                return true;
              }
              return false;
            });
    return taken;
  }

  /** Hands the kept output of {@code task} over to the caller; null when there is none. */
  synchronized BatchStore takeKept(TaskKey task) {
    return kept.remove(task);
  }

  /** Opens a task that takes the rows exchanges send it; takes ownership of its inbox. */
  synchronized void open(TaskKey task, PhysicalPlan plan, Inbox inbox) {
    if (cancelled || closed || opened.containsKey(task)) {
      inbox.close();
      checkNotCancelled();
      throw new QuiverException(
          cancelled || closed ? ErrorCode.CANCELLED : ErrorCode.INVALID_ARGUMENT,
          "Query " + queryId + (opened.containsKey(task) ? " already has " + task : " has ended"));
    }
    opened.put(task, new OpenedTask(plan, inbox));
  }

  /** Takes rows an exchange sent to {@code task}; the batch is only read (or emptied). */
  void receive(TaskKey task, VectorSchemaRoot batch) {
    checkNotCancelled();
    Inbox inbox;
    synchronized (this) {
      OpenedTask open = opened.get(task);
      if (open == null) {
        throw new QuiverException(
            ErrorCode.NOT_FOUND, "Query " + queryId + " has no open " + task + " on this node");
      }
      inbox = open.inbox();
    }
    inbox.add(batch);
  }

  /**
   * Hands an opened task over to the caller, who then owns its inbox.
   *
   * @throws QuiverException NOT_FOUND if there is none
   */
  synchronized OpenedTask takeOpened(TaskKey task) {
    OpenedTask taken = opened.remove(task);
    if (taken == null) {
      throw new QuiverException(
          ErrorCode.NOT_FOUND, "Query " + queryId + " has no " + task + " on this node");
    }
    return taken;
  }

  /** Hands the opened task {@code task} over to the caller, who then owns its inbox; or null. */
  synchronized OpenedTask takeOpenedIfAny(TaskKey task) {
    return opened.remove(task);
  }

  /** Marks the fragment cancelled and frees it unless a task is running. */
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
      kept.values().forEach(BatchStore::close);
      kept.clear();
      opened.values().forEach(task -> task.inbox().close());
      opened.clear();
    } finally {
      spill.heap().close();
      Allocators.closeWhenReleased(allocator, Duration.ofSeconds(5));
      onFree.run();
    }
  }
}
