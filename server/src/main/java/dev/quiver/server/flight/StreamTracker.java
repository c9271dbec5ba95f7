package dev.quiver.server.flight;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counts the streams in flight so that shutdown can stop them and wait until they have ended, and
 * finds a stream by its ticket so that a client's {@code CancelFlightInfo} can stop it.
 */
final class StreamTracker {
  /** Tickets cancelled before their stream started are remembered, up to this many. */
  private static final int REMEMBERED_CANCELS = 1024;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition idle = lock.newCondition();
  private final Map<ByteBuffer, Registration> byTicket = new HashMap<>();
  private final Map<ByteBuffer, Boolean> cancelledEarly =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Boolean> eldest) {
          return size() > REMEMBERED_CANCELS;
        }
      };
  private int active;
  private volatile boolean stopped;

  /** One stream; closing it marks the stream ended. */
  final class Registration implements AutoCloseable {
    private final ByteBuffer ticket;
    private boolean closed;
    private volatile boolean cancelled;

    private Registration(ByteBuffer ticket) {
      this.ticket = ticket;
    }

    boolean isStopped() {
      return stopped;
    }

    /** Whether a client cancelled the query this stream answers. */
    boolean isCancelled() {
      return cancelled;
    }

    @Override
    public void close() {
      lock.lock();
      try {
        if (!closed) {
          closed = true;
          active--;
          if (ticket != null && byTicket.get(ticket) == this) {
            byTicket.remove(ticket);
          }
          idle.signalAll();
        }
      } finally {
        lock.unlock();
      }
    }
  }

  Registration register() {
    return register(null);
  }

  /** Registers the stream of {@code ticket}, cancelled at once if the ticket already was. */
  Registration register(byte[] ticket) {
    lock.lock();
    try {
      active++;
      ByteBuffer key = ticket == null ? null : ByteBuffer.wrap(ticket.clone());
      Registration registration = new Registration(key);
      if (key != null) {
        byTicket.put(key, registration);
        registration.cancelled = cancelledEarly.remove(key) != null;
      }
      return registration;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Cancels the stream of {@code ticket}; a ticket not being streamed yet is refused when it comes.
   *
   * @return whether a running stream was cancelled
   */
  boolean cancel(byte[] ticket) {
    lock.lock();
    try {
      ByteBuffer key = ByteBuffer.wrap(ticket.clone());
      Registration running = byTicket.get(key);
      if (running != null) {
        running.cancelled = true;
        return true;
      }
      cancelledEarly.put(key, Boolean.TRUE);
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** Whether shutdown has told streams to stop. */
  boolean isStopping() {
    return stopped;
  }

  int active() {
    lock.lock();
    try {
      return active;
    } finally {
      lock.unlock();
    }
  }

  /** Tells every stream to stop and waits until none is left or the timeout passes. */
  boolean stopAndAwait(Duration timeout) {
    stopped = true;
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (active > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        idle.await(left, TimeUnit.NANOSECONDS);
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      lock.unlock();
    }
  }
}
