package dev.quiver.parquet.io;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.util.MemoryUtil;
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
 * requests of a similar size; a request takes a kept buffer of its class or the next. The memory is
 * allocated and freed explicitly (not by the garbage collector, which let released buffers beyond
 * the bound pile up to the JVM's direct-memory limit when the heap was quiet): a buffer released
 * beyond the bound is freed at once. Readers borrow through a {@link Lease}, which gives back on
 * close whatever parquet-java did not release (a read that failed midway). Reused buffers are not
 * zeroed: parquet-java fills what it asked for before reading it.
 *
 * <p>Thread-safe: scan threads share the pool. A buffer is lent to one reader at a time.
 */
public final class ChunkBuffers implements ByteBufferAllocator {
  /** The process's pool. */
  public static final ChunkBuffers SHARED = new ChunkBuffers(128L << 20);

  /** The smallest size class; smaller requests get buffers of this size. */
  static final int MIN_CLASS = 4096;

  private final long maxKeptBytes;
  private final List<ByteBuffer> kept = new ArrayList<>();

  /** The address of every buffer this pool allocated and has not freed, lent or kept. */
  private final Map<ByteBuffer, Long> addresses = new IdentityHashMap<>();

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
   * Give it back with {@link #release}, or borrow through a {@link Lease}.
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
    long address = MemoryUtil.allocateMemory(capacity);
    ByteBuffer buffer = MemoryUtil.directBuffer(address, capacity);
    synchronized (this) {
      addresses.put(buffer, address);
    }
    return buffer.limit(size);
  }

  /**
   * Keeps {@code buffer} for reuse if there is room, else frees it; a buffer this pool did not lend
   * (a slice, a heap buffer) or one already given back is ignored. The caller no longer touches it.
   */
  @Override
  public void release(ByteBuffer buffer) {
    synchronized (this) {
      Long address = addresses.get(buffer);
      if (address == null) {
        return;
      }
      for (ByteBuffer already : kept) {
        if (already == buffer) {
          return; // released twice: lending it twice would share it between readers
        }
      }
      if (keptBytes + buffer.capacity() <= maxKeptBytes) {
        kept.add(buffer);
        keptBytes += buffer.capacity();
        return;
      }
      addresses.remove(buffer);
      MemoryUtil.freeMemory(address);
    }
  }

  /** A borrower's view of the pool: what it has not released comes back on {@link #close}. */
  public Lease lease() {
    return new Lease();
  }

  /**
   * Buffers for one reader: allocated from the pool, and released to it either by the reader or,
   * whatever the reader did not release, on {@link #close()}. Thread-safe (a vectored read may
   * allocate from another thread).
   */
  public final class Lease implements ByteBufferAllocator, AutoCloseable {
    private final Map<ByteBuffer, Boolean> outstanding = new IdentityHashMap<>();

    private Lease() {}

    @Override
    public synchronized ByteBuffer allocate(int size) {
      ByteBuffer buffer = ChunkBuffers.this.allocate(size);
      outstanding.put(buffer, Boolean.TRUE);
      return buffer;
    }

    @Override
    public synchronized void release(ByteBuffer buffer) {
      if (outstanding.remove(buffer) != null) {
        ChunkBuffers.this.release(buffer);
      }
    }

    @Override
    public boolean isDirect() {
      return true;
    }

    /** Buffers allocated and not released yet. */
    public synchronized int outstanding() {
      return outstanding.size();
    }

    /** Gives back every buffer not released yet; the reader no longer touches any of them. */
    @Override
    public synchronized void close() {
      outstanding.keySet().forEach(ChunkBuffers.this::release);
      outstanding.clear();
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

  /** Buffer capacity allocated and not freed: lent out or kept. */
  public synchronized long allocatedBytes() {
    return addresses.keySet().stream().mapToLong(ByteBuffer::capacity).sum();
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
