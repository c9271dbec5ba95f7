package dev.quiver.shuffle.memory;

import org.apache.arrow.memory.OutOfMemoryException;

/**
 * A {@link HeapBudget} refused a reservation. An Arrow {@link OutOfMemoryException}, so that what
 * spills or fails cleanly when an allocator is full does the same when a heap budget is.
 */
public final class HeapReservationException extends OutOfMemoryException {
  public HeapReservationException(String message) {
    super(message);
  }
}
