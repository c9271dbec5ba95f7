package dev.quiver.parquet.io;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.bytes.ByteBufferAllocator;

/**
 * Direct buffers for column chunks and their decompressed pages, lent out again after parquet-java
 * releases them (when a row group's page store is closed), up to a bound on what is kept.
 *
 * <p>Off the heap because that is where the bytes go next: a file is read into a direct buffer
 * without the JDK's temporary copy, snappy decompresses direct to direct outside a JNI critical
 * region (on the heap its critical region held off G1 and a small heap failed with "Retried waiting
 * for GCLocker too often"), and the page decoder copies values straight into Arrow memory. The heap
 * then holds no megabytes per row group, so a node runs in a small one.
 *
 * <p>Buffers come in size classes, four per power of two, so that a released buffer fits later
 * requests of a similar size; a request takes a kept buffer of its class or the next. A buffer
 * dropped beyond the bound (or never released, e.g. by a read that failed) is freed by the garbage
 * collector as every direct buffer is. Reused buffers are not zeroed: parquet-java fills what it
 * asked for before reading it.
 *
 * <p>Thread-safe: scan threads share the pool. A buffer is lent to one reader at a time.
 */
public final class ChunkBuffers implements ByteBufferAllocator {
  /** The process's pool. */
  public static final ChunkBuffers SHARED = new ChunkBuffers(256L << 20);

  /** The smallest size class; smaller requests get buffers of this size. */
  static final int MIN_CLASS = 4096;

  private final long maxKeptBytes;
  private final List<ByteBuffer> kept = new ArrayList<>();
  private long keptBytes;

  /**
   * @param maxKeptBytes the most buffer capacity kept for reuse; released buffers beyond it are
   *     left to the garbage collector
   */
  public ChunkBuffers(long maxKeptBytes) {
    this.maxKeptBytes = maxKeptBytes;
  }

  /**
   * A direct buffer with position 0 and limit {@code size}; its capacity is {@code size}'s class.
   */
  @Override
  public ByteBuffer allocate(int size) {
    int capacity = sizeClass(size);
    synchronized (this) {
      int best = -1;
      for (int i = 0; i < kept.size(); i++) {
        int candidate = kept.get(i).capacity();
        if (candidate >= capacity
            && candidate <= nextClass(capacity)
            && (best < 0 || candidate < kept.get(best).capacity())) {
          best = i;
        }
      }
      if (best >= 0) {
        ByteBuffer buffer = kept.remove(best);
        keptBytes -= buffer.capacity();
        return buffer.clear().limit(size);
      }
    }
    return ByteBuffer.allocateDirect(capacity).limit(size);
  }

  /** Keeps {@code buffer} for reuse if this pool could have lent it and there is room. */
  @Override
  public void release(ByteBuffer buffer) {
    if (!buffer.isDirect() || buffer.capacity() != sizeClass(buffer.capacity())) {
      return; // not one of ours (a slice, a heap buffer)
    }
    synchronized (this) {
      for (ByteBuffer already : kept) {
        if (already == buffer) {
          return; // released twice: lending it twice would share it between readers
        }
      }
      if (keptBytes + buffer.capacity() <= maxKeptBytes) {
        kept.add(buffer);
        keptBytes += buffer.capacity();
      }
    }
  }

  @Override
  public boolean isDirect() {
    return true;
  }

  /** Buffer capacity kept for reuse now. */
  public synchronized long keptBytes() {
    return keptBytes;
  }

  /**
   * The capacity a buffer of {@code size} bytes gets: the least of {@code 2^k}, {@code 1.25 * 2^k},
   * {@code 1.5 * 2^k}, {@code 1.75 * 2^k} that holds it (so at most a fifth is unused).
   */
  static int sizeClass(int size) {
    if (size <= MIN_CLASS) {
      return MIN_CLASS;
    }
    int power = Integer.highestOneBit(size - 1); // size > power
    int quarter = power / 4;
    long capacity = power + (long) quarter * ((size - power + quarter - 1) / quarter);
    return (int) Math.min(capacity, Integer.MAX_VALUE - 8);
  }

  private static int nextClass(int capacity) {
    return capacity >= Integer.MAX_VALUE / 2 ? Integer.MAX_VALUE : sizeClass(capacity + 1);
  }
}
