package dev.quiver.server.query;

import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.exec.Spill;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query fragments a node holds, by query id. A fragment lives from its partial stage until the
 * coordinator releases it, or until its time to live runs out: the tickets and exchange descriptors
 * of a query name its id, so they stop working when it is gone.
 */
final class Fragments implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Fragments.class);

  private final BufferAllocator root;
  private final long memoryLimit;
  private final Duration ttl;
  private final Spill spill;
  private final int batchRows;
  private final int slots;
  private final Semaphore admitted;
  private final Duration admissionTimeout;
  private final long queryHeapBytes;
  private final Supplier<String> self;
  private final Map<String, Fragment> fragments = new ConcurrentHashMap<>();
  private final Map<String, Long> released = new ConcurrentHashMap<>();
  private final AtomicInteger live = new AtomicInteger();
  private final ScheduledExecutorService reaper =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "quiver-fragment-reaper");
            thread.setDaemon(true);
            return thread;
          });

  /**
   * @param memoryLimit the limit of each fragment's allocator
   * @param ttl how long a fragment may live
   * @param spill where and beyond what budget each fragment's aggregation state spills
   * @param batchRows rows per batch of a fragment's sorted range
   * @param admissionTimeout how long a query waits for one of the node's query slots
   * @param self this node's address, for messages
   */
  /** Told each freed query's memory peak on this node. */
  private final java.util.function.LongConsumer peaks;

  Fragments(
      BufferAllocator root,
      long memoryLimit,
      Duration ttl,
      Spill spill,
      int batchRows,
      Duration admissionTimeout,
      Supplier<String> self,
      java.util.function.LongConsumer peaks) {
    this.peaks = peaks;
    this.batchRows = batchRows;
    // The node admits as many queries at once as their limits fit its root allocator's.
    this.slots = (int) Math.max(1, Math.min(Integer.MAX_VALUE, root.getLimit() / memoryLimit));
    this.admitted = new Semaphore(slots, true);
    // A query's fragment, and its coordinator here, may each reserve up to its memory limit of
    // heap, and no more than half the node's heap budget; the node's budget bounds what all its
    // queries reserve together, so a query whose reservation the node cannot grant spills (or fails
    // naming the heap) while the others go on. Shares of one slot each would starve a query on a
    // node of many small slots, whose Arrow limit then never counts.
    this.queryHeapBytes = Math.max(1, Math.min(spill.heap().limit() / 2, memoryLimit));
    this.admissionTimeout = admissionTimeout;
    this.self = self;
    this.root = root;
    this.memoryLimit = memoryLimit;
    this.ttl = ttl;
    this.spill = spill;
    reaper.scheduleWithFixedDelay(this::expire, 1, 1, TimeUnit.SECONDS);
  }

  /**
   * The fragment of a query on this node, created (after waiting for a query slot) by the query's
   * first task here.
   */
  Fragment getOrCreate(String queryId) {
    Fragment existing = fragments.get(queryId);
    if (existing != null) {
      return existing;
    }
    synchronized (this) {
      existing = fragments.get(queryId);
      if (existing != null) {
        return existing;
      }
      if (released.remove(queryId) != null) {
        throw new QuiverException(
            ErrorCode.CANCELLED, "Query " + queryId + " was released before it started here");
      }
    }
    admit(queryId);
    BufferAllocator allocator;
    try {
      allocator = root.newChildAllocator("query-" + queryId, 0, memoryLimit);
    } catch (RuntimeException e) {
      admitted.release();
      throw e;
    }
    live.incrementAndGet();
    Fragment fragment =
        new Fragment(
            queryId,
            allocator,
            ttl,
            spill.withHeap(spill.heap().child("query-" + queryId + " heap", queryHeapBytes)),
            batchRows,
            () -> {
              live.decrementAndGet();
              admitted.release();
              peaks.accept(allocator.getPeakMemoryAllocation());
            });
    Fragment raced = fragments.putIfAbsent(queryId, fragment);
    if (raced != null) {
      fragment.release();
      return raced;
    }
    return fragment;
  }

  /**
   * The fragment of a query.
   *
   * @throws QuiverException NOT_FOUND if it never ran here, was released or expired
   */
  Fragment require(String queryId) {
    Fragment fragment = fragments.get(queryId);
    if (fragment == null) {
      throw new QuiverException(
          ErrorCode.NOT_FOUND,
          "Query " + queryId + " is unknown on this node: it finished, was cancelled or expired");
    }
    return fragment;
  }

  /** Releases a query's fragment if there is one. */
  void release(String queryId) {
    Fragment fragment = fragments.remove(queryId);
    if (fragment != null) {
      fragment.release();
    } else {
      // Released before its stage created it (the query failed elsewhere first): refuse the
      // stage when it comes, instead of holding its fragment until the time to live runs out.
      released.put(queryId, System.nanoTime() + ttl.toNanos());
    }
  }

  /**
   * Waits for one of the node's query slots: a query runs here only when its memory limit fits
   * beside those of the queries already running, else it waits, then fails with RESOURCE_EXHAUSTED
   * naming the node.
   */
  private void admit(String queryId) {
    try {
      if (!admitted.tryAcquire(admissionTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new QuiverException(
            ErrorCode.RESOURCE_EXHAUSTED,
            "Query "
                + queryId
                + " waited "
                + admissionTimeout
                + " (quiver.admission-timeout) for memory on "
                + self.get()
                + ": its "
                + slots
                + " query slot(s) of "
                + memoryLimit
                + " bytes (quiver.query-memory-limit) within "
                + root.getLimit()
                + " bytes (quiver.memory-limit) are taken; retry later");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QuiverException(ErrorCode.CANCELLED, "Interrupted while waiting for memory");
    }
    if (released.remove(queryId) != null) {
      admitted.release(); // released while it waited
      throw new QuiverException(
          ErrorCode.CANCELLED, "Query " + queryId + " was released before it started here");
    }
  }

  /** Heap bytes each query's fragment, and each coordinator, may reserve on this node. */
  long queryHeapBytes() {
    return queryHeapBytes;
  }

  /** Queries this node runs at once; more wait for a slot. */
  int slots() {
    return slots;
  }

  /** Fragments whose memory is not yet freed. */
  int size() {
    return live.get();
  }

  private void expire() {
    long now = System.nanoTime();
    released.values().removeIf(deadline -> now - deadline > 0);
    for (Fragment fragment : fragments.values()) {
      if (fragment.isExpired(now)) {
        LOG.warn("Query {} expired after {}; freeing its fragment", fragment.queryId(), ttl);
        release(fragment.queryId());
      }
    }
  }

  /**
   * Releases every fragment and waits up to five seconds for running stages to notice and free
   * their memory.
   */
  @Override
  public void close() {
    reaper.shutdownNow();
    fragments.keySet().forEach(this::release);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (live.get() > 0 && System.nanoTime() - deadline < 0) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }
}
