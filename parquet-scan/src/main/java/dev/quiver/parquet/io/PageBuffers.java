package dev.quiver.parquet.io;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Arrays for decompressed pages, lent to the decoder reading the page and given back once it has
 * read every value of it. A scan decompresses its whole input page by page; a new array per page is
 * zeroed, then collected, which for an aggregation over a snappy column cost about as much as a
 * tenth of the decompression itself.
 *
 * <p>Only arrays this pool lent are taken back ({@link #giveBack} ignores any other buffer, e.g. a
 * slice of an uncompressed column chunk), and a lent array that is never given back (a page of an
 * abandoned scan, a dictionary page) is simply left to the garbage collector: the pool remembers
 * lent arrays weakly. At most {@code maxKeptBytes} of arrays wait for reuse.
 *
 * <p>Thread-safe: scan threads share the pool. An array is lent to one page at a time.
 */
public final class PageBuffers {
  /** The process's pool. */
  public static final PageBuffers SHARED = new PageBuffers(64L << 20);

  private final long maxKeptBytes;
  private final List<byte[]> kept = new ArrayList<>();
  private final Map<byte[], Boolean> lent = new WeakHashMap<>(); // arrays hash by identity
  private long keptBytes;

  /**
   * @param maxKeptBytes the most array bytes kept for reuse; arrays given back beyond it are left
   *     to the garbage collector
   */
  public PageBuffers(long maxKeptBytes) {
    this.maxKeptBytes = maxKeptBytes;
  }

  /**
   * An array of at least {@code size} bytes (and at most twice that), its content undefined: a
   * page's decompression overwrites the bytes it uses.
   */
  public byte[] take(int size) {
    synchronized (this) {
      for (int i = 0; i < kept.size(); i++) {
        byte[] candidate = kept.get(i);
        if (candidate.length >= size && candidate.length / 2 <= size) {
          kept.remove(i);
          keptBytes -= candidate.length;
          lent.put(candidate, Boolean.TRUE);
          return candidate;
        }
      }
    }
    byte[] array = new byte[size];
    synchronized (this) {
      lent.put(array, Boolean.TRUE);
    }
    return array;
  }

  /**
   * Takes back the array behind {@code page} if this pool lent it; the caller no longer reads the
   * page, nor any buffer sharing its array. Any other buffer is ignored.
   */
  public void giveBack(ByteBuffer page) {
    if (page == null || !page.hasArray()) {
      return;
    }
    byte[] array = page.array();
    synchronized (this) {
      if (lent.remove(array) == null) {
        return; // not ours, or given back already
      }
      if (keptBytes + array.length <= maxKeptBytes) {
        kept.add(array);
        keptBytes += array.length;
      }
    }
  }

  /** Array bytes kept for reuse now. */
  public synchronized long keptBytes() {
    return keptBytes;
  }
}
