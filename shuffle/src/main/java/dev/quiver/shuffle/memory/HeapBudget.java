package dev.quiver.shuffle.memory;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.OutOfMemoryException;

/**
 * Bytes of heap arrays that may be held at once, reserved before the arrays are allocated: the heap
 * counterpart of an Arrow allocator's limit. Budgets form a tree (a node's, a query's under it, an
 * aggregation's under that); a reservation counts in its budget and in every ancestor, and is
 * refused when any of them would exceed its limit, with Arrow's {@link OutOfMemoryException}, so
 * that code which spills when an allocation fails spills when a reservation fails too.
 *
 * <p>Thread-safe. A budget releases what it still holds from its ancestors when it is closed;
 * children are not tracked, each is closed by whoever created it. A child closed after its parent
 * (whose close already gave back the child's bytes) changes nothing above the parent.
 */
public final class HeapBudget implements AutoCloseable {
  private final String name;
  private final HeapBudget parent;
  private final long limit;
  private final AtomicLong reserved = new AtomicLong();
  private volatile boolean closed;

  private HeapBudget(String name, HeapBudget parent, long limit) {
    this.name = requireNonNull(name, "name is null");
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative: " + limit);
    }
    this.parent = parent;
    this.limit = limit;
  }

  /**
   * A budget of its own.
   *
   * @param name names the budget in refusals, e.g. with the setting that sets its limit
   */
  public static HeapBudget root(String name, long limit) {
    return new HeapBudget(name, null, limit);
  }

  /** A budget that refuses nothing, for aggregations that only a query's Arrow limit bounds. */
  public static HeapBudget unlimited() {
    return root("unlimited heap", Long.MAX_VALUE);
  }

  /** A budget within this one, of at most {@code limit} bytes of it. */
  public HeapBudget child(String name, long limit) {
    return new HeapBudget(name, this, limit);
  }

  public String name() {
    return name;
  }

  public long limit() {
    return limit;
  }

  /** Bytes reserved in this budget (and its children) now. */
  public long reserved() {
    return reserved.get();
  }

  /** Bytes that could be reserved here now: the least room of this budget and its ancestors. */
  public long headroom() {
    long room = Long.MAX_VALUE;
    for (HeapBudget budget = this; budget != null; budget = budget.parent) {
      room = Math.min(room, budget.limit - budget.reserved.get());
    }
    return Math.max(0, room);
  }

  /**
   * Reserves {@code bytes} before they are allocated.
   *
   * @throws HeapReservationException if this budget or an ancestor has no room; nothing is reserved
   *     then
   */
  public void reserve(long bytes) {
    if (bytes <= 0) {
      return;
    }
    for (HeapBudget budget = this; budget != null && !budget.closed; budget = budget.parent) {
      if (!budget.tryAdd(bytes)) {
        for (HeapBudget undo = this; undo != budget; undo = undo.parent) {
          undo.reserved.addAndGet(-bytes);
        }
        throw new HeapReservationException(
            "Cannot reserve "
                + bytes
                + " bytes of heap for "
                + name
                + ": "
                + budget.name
                + " holds "
                + budget.reserved.get()
                + " of its "
                + budget.limit
                + " bytes");
      }
    }
  }

  /**
   * Counts {@code bytes} that are already allocated (e.g. grown inside a state that cannot be
   * refused halfway), even beyond the limits: later reservations find less room.
   */
  public void forceReserve(long bytes) {
    if (bytes == 0) {
      return;
    }
    for (HeapBudget budget = this; budget != null && !budget.closed; budget = budget.parent) {
      budget.reserved.addAndGet(bytes);
    }
  }

  /** Gives back {@code bytes} reserved before, whose arrays are dropped. */
  public void release(long bytes) {
    forceReserve(-bytes);
  }

  private boolean tryAdd(long bytes) {
    while (true) {
      long now = reserved.get();
      if (now + bytes > limit || now + bytes < 0) {
        return false;
      }
      if (reserved.compareAndSet(now, now + bytes)) {
        return true;
      }
    }
  }

  /** Releases from the ancestors whatever this budget still holds. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    long held = reserved.getAndSet(0);
    for (HeapBudget budget = parent; budget != null && !budget.closed; budget = budget.parent) {
      budget.reserved.addAndGet(-held);
    }
  }

  @Override
  public String toString() {
    return name + ": " + reserved.get() + " of " + limit + " bytes";
  }
}
