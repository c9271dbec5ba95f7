package dev.quiver.parquet.io;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.bytes.ByteBufferAllocator;

/**
 * Heap buffers for column chunks, lent out again after parquet-java releases them (when a row
 * group's page store is closed), up to a bound on what is kept. Column chunks are megabytes each;
 * allocating them anew means zeroing them and, in G1, humongous regions collected apart.
 *
 * <p>Thread-safe: scan threads share the pool. A buffer is lent to one reader at a time.
 */
public final class ChunkBuffers implements ByteBufferAllocator {
  /** The process's pool. */
  public static final ChunkBuffers SHARED = new ChunkBuffers(64L << 20);

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

  @Override
  public ByteBuffer allocate(int size) {
    synchronized (this) {
      for (int i = 0; i < kept.size(); i++) {
        ByteBuffer candidate = kept.get(i);
        if (candidate.capacity() >= size) {
          kept.remove(i);
          keptBytes -= candidate.capacity();
          return candidate.clear().limit(size).slice();
        }
      }
    }
    return ByteBuffer.allocate(size);
  }

  @Override
  public void release(ByteBuffer buffer) {
    if (buffer.isDirect() || !buffer.hasArray()) {
      return;
    }
    byte[] array = buffer.array();
    synchronized (this) {
      for (ByteBuffer already : kept) {
        if (already.array() == array) {
          return; // released twice: lending it twice would share it between readers
        }
      }
      if (keptBytes + array.length <= maxKeptBytes) {
        kept.add(ByteBuffer.wrap(array));
        keptBytes += array.length;
      }
    }
  }

  @Override
  public boolean isDirect() {
    return false;
  }

  /** Buffer capacity kept for reuse now. */
  public synchronized long keptBytes() {
    return keptBytes;
  }
}
