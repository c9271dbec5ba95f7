package dev.quiver.shuffle.exchange;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Closing allocators whose buffers Flight's zero-copy writes may still hold for a moment. */
public final class Allocators {
  private static final Logger LOG = LoggerFactory.getLogger(Allocators.class);

  /** How long memory may stay with gRPC before a deferred close says so in the log. */
  private static final Duration SLOW_RELEASE = Duration.ofMinutes(10);

  /** Allocators whose close waits for their memory, each with when it was deferred. */
  private static final Map<BufferAllocator, Long> PENDING = new ConcurrentHashMap<>();

  private static final ScheduledExecutorService CLOSER =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "quiver-allocator-closer");
            thread.setDaemon(true);
            return thread;
          });

  static {
    CLOSER.scheduleWithFixedDelay(Allocators::closeReleased, 20, 20, TimeUnit.MILLISECONDS);
  }

  private Allocators() {}

  /**
   * Closes {@code allocator} as soon as its memory is back, without waiting for it: now if it holds
   * nothing, else from a background thread once gRPC has written (or dropped, when the call ends)
   * the last batches of a stream that sent them zero-copy. A client that reads slowly keeps those
   * batches queued for as long as it takes; that is no leak, and nothing is logged unless the
   * memory is still held after ten minutes. {@link #closeReleased(BufferAllocator, Duration)}
   * closes what is left when the node stops.
   *
   * <p>Ownership of {@code allocator} passes here: the caller must not use it again.
   */
  public static void closeOnceReleased(BufferAllocator allocator) {
    if (allocator.getAllocatedMemory() == 0) {
      allocator.close();
      return;
    }
    PENDING.put(allocator, System.nanoTime());
  }

  /**
   * Closes the deferred allocators under {@code root}, waiting up to {@code timeout} for their
   * memory (gRPC frees what it still holds once its server is closed); any still holding memory
   * then are closed anyway, and Arrow reports the leak.
   */
  public static void closeReleased(BufferAllocator root, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (PENDING.keySet().stream().anyMatch(a -> a.getRoot() == root.getRoot())
        && System.nanoTime() - deadline < 0) {
      closeReleased();
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    for (BufferAllocator allocator : PENDING.keySet()) {
      if (allocator.getRoot() == root.getRoot() && PENDING.remove(allocator) != null) {
        LOG.warn(
            "{} still holds {} bytes as the node stops; closing it",
            allocator.getName(),
            allocator.getAllocatedMemory());
        closeLogging(allocator);
      }
    }
  }

  /**
   * Closes {@code allocator}; a failure (a leak Arrow reports) is logged, so that neither the
   * background closer nor a node's shutdown stops at it.
   */
  private static void closeLogging(BufferAllocator allocator) {
    try {
      allocator.close();
    } catch (RuntimeException e) {
      LOG.warn("Closing {} failed: {}", allocator.getName(), e.getMessage());
    }
  }

  private static void closeReleased() {
    long now = System.nanoTime();
    for (Map.Entry<BufferAllocator, Long> pending : PENDING.entrySet()) {
      BufferAllocator allocator = pending.getKey();
      if (allocator.getAllocatedMemory() == 0) {
        if (PENDING.remove(allocator) != null) {
          closeLogging(allocator);
        }
      } else if (now - pending.getValue() > SLOW_RELEASE.toNanos()) {
        LOG.warn(
            "{} still holds {} bytes {} after its stream ended; the client may have stopped"
                + " reading",
            allocator.getName(),
            allocator.getAllocatedMemory(),
            SLOW_RELEASE);
        pending.setValue(now);
      }
    }
  }

  /**
   * Closes {@code allocator} once its memory is back: with zero-copy writes gRPC releases a sent
   * batch's buffers only after they reached the socket, which can be just after the stream ended.
   * Waits up to {@code timeout}, then closes anyway (and Arrow reports the leak).
   */
  public static void closeWhenReleased(BufferAllocator allocator, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (allocator.getAllocatedMemory() > 0 && System.nanoTime() - deadline < 0) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    if (allocator.getAllocatedMemory() > 0) {
      LOG.warn(
          "{} still holds {} bytes after {}; closing it",
          allocator.getName(),
          allocator.getAllocatedMemory(),
          timeout);
    }
    allocator.close();
  }
}
