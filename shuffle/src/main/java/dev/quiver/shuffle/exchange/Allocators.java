package dev.quiver.shuffle.exchange;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Closing allocators whose buffers Flight's zero-copy writes may still hold for a moment. */
public final class Allocators {
  private static final Logger LOG = LoggerFactory.getLogger(Allocators.class);

  private Allocators() {}

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
