package dev.quiver.server.flight;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** Counts the streams in flight so that shutdown can stop them and wait until they have ended. */
final class StreamTracker {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition idle = lock.newCondition();
  private int active;
  private volatile boolean stopped;

  /** One stream; closing it marks the stream ended. */
  final class Registration implements AutoCloseable {
    private boolean closed;

    boolean isStopped() {
      return stopped;
    }

    @Override
    public void close() {
      lock.lock();
      try {
        if (!closed) {
          closed = true;
          active--;
          idle.signalAll();
        }
      } finally {
        lock.unlock();
      }
    }
  }

  Registration register() {
    lock.lock();
    try {
      active++;
      return new Registration();
    } finally {
      lock.unlock();
    }
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
