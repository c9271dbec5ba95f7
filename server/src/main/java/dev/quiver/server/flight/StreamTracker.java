package dev.quiver.server.flight;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counts the streams in flight so that shutdown can stop them and wait until they have ended, and
 * finds a stream by its ticket and its user so that a client's {@code CancelFlightInfo} can stop
 * it: a cancel stops only the streams of the user it is made for, however many users read the same
 * ticket.
 */
final class StreamTracker {
  /** Tickets cancelled before their stream started are remembered, up to this many. */
  private static final int REMEMBERED_CANCELS = 1024;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition idle = lock.newCondition();
  private final Map<Owned, List<Registration>> byTicket = new HashMap<>();

  /** How long a cancel waits for the stream it names to start. */
  private static final long EARLY_CANCEL_NANOS = TimeUnit.SECONDS.toNanos(30);

  /** Tickets cancelled before their stream started, with when, most recent last. */
  private final Map<Owned, Long> cancelledEarly =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Owned, Long> eldest) {
          return size() > REMEMBERED_CANCELS;
        }
      };

  private final Map<String, Registration> byId = new LinkedHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong ids =
      new java.util.concurrent.atomic.AtomicLong();
  private int active;
  private volatile boolean stopped;
  private final int maxPerUser;
  private final Map<String, Integer> perUser = new java.util.HashMap<>();

  /** A ticket as read by one user: what cancels are matched on. */
  private record Owned(String user, ByteBuffer ticket) {}

  /** Streams without a limit per user. */
  StreamTracker() {
    this(0);
  }

  /**
   * @param maxPerUser the most streams one authenticated user may have open at once; 0 for no limit
   *     (the cluster's own nodes are never limited)
   */
  StreamTracker(int maxPerUser) {
    this.maxPerUser = maxPerUser;
  }

  /**
   * A stream being served, as {@code queries} lists it.
   *
   * @param id the stream's id on this node, what {@code cancel-query} names
   * @param user who opened it (empty when the node authenticates nobody)
   * @param what what it reads: a dataset, a query's text
   * @param elapsedMillis how long it has run
   */
  record Running(String id, String user, String what, long elapsedMillis) {}

  /** One stream; closing it marks the stream ended. */
  final class Registration implements AutoCloseable {
    private final Owned ticket;
    private final String id = "q" + ids.incrementAndGet();
    private final String user = dev.quiver.server.auth.Caller.current().orElse("");
    private final long started = System.nanoTime();
    private volatile String what = "DoGet";
    private boolean closed;
    private volatile boolean cancelled;

    private Registration(ByteBuffer ticket) {
      this.ticket = ticket == null ? null : new Owned(user, ticket);
    }

    /** Says what the stream reads, for listings. */
    void describe(String description) {
      this.what = description;
    }

    Running running() {
      return new Running(id, user, what, (System.nanoTime() - started) / 1_000_000);
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
          byId.remove(id);
          if (!user.isEmpty()) {
            perUser.computeIfPresent(user, (u, n) -> n <= 1 ? null : n - 1);
          }
          if (ticket != null) {
            List<Registration> same = byTicket.get(ticket);
            if (same != null && same.remove(this) && same.isEmpty()) {
              byTicket.remove(ticket);
            }
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

  /**
   * Registers the stream of {@code ticket}, cancelled at once if the ticket already was.
   *
   * @throws dev.quiver.server.error.QuiverException RESOURCE_EXHAUSTED naming the user and the
   *     limit if the calling user already has as many streams open as allowed
   */
  Registration register(byte[] ticket) {
    lock.lock();
    try {
      String user = dev.quiver.server.auth.Caller.current().orElse("");
      if (!user.isEmpty() && !user.equals(dev.quiver.server.auth.NodeAuthenticator.PEER)) {
        int open = perUser.getOrDefault(user, 0);
        if (maxPerUser > 0 && open >= maxPerUser) {
          throw new dev.quiver.server.error.QuiverException(
              dev.quiver.server.error.ErrorCode.RESOURCE_EXHAUSTED,
              "User '"
                  + user
                  + "' already reads "
                  + open
                  + " stream(s) on this node, the most quiver.max-streams-per-user allows;"
                  + " finish or cancel one first");
        }
        perUser.put(user, open + 1);
      }
      active++;
      ByteBuffer key = ticket == null ? null : ByteBuffer.wrap(ticket.clone());
      Registration registration = new Registration(key);
      byId.put(registration.id, registration);
      if (key != null) {
        byTicket.computeIfAbsent(registration.ticket, t -> new ArrayList<>()).add(registration);
        Long cancelledAt = cancelledEarly.remove(registration.ticket);
        registration.cancelled =
            cancelledAt != null && System.nanoTime() - cancelledAt < EARLY_CANCEL_NANOS;
      }
      return registration;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Cancels {@code user}'s streams of {@code ticket}; if {@code user} reads none yet, the ticket is
   * refused to {@code user} when it comes within 30 seconds (a cancel that overtook its stream's
   * start; a later read of the same ticket is a new query). Other users' streams go on.
   *
   * @param user who the ticket was issued to (the empty string when the node authenticates nobody)
   * @return whether a running stream was cancelled
   */
  boolean cancel(byte[] ticket, String user) {
    lock.lock();
    try {
      Owned key = new Owned(user, ByteBuffer.wrap(ticket.clone()));
      List<Registration> running = byTicket.get(key);
      if (running != null) {
        running.forEach(r -> r.cancelled = true);
        return true;
      }
      cancelledEarly.put(key, System.nanoTime());
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** The streams being served now, oldest first. */
  java.util.List<Running> running() {
    lock.lock();
    try {
      return byId.values().stream().map(Registration::running).toList();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Cancels the stream {@code id} if {@code user} opened it (any user's when {@code user} is null):
   * it stops at its next batch with CANCELLED.
   *
   * @return whether such a stream was running
   */
  boolean cancelById(String id, String user) {
    lock.lock();
    try {
      Registration running = byId.get(id);
      if (running == null || (user != null && !running.user.equals(user))) {
        return false;
      }
      running.cancelled = true;
      return true;
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
