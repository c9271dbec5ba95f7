package dev.quiver.parquet.storage;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What a reader asked of storage: read requests issued (each positioned or bulk read, each range of
 * a vectored read) and the bytes they returned. On object storage a request is a ranged GET, so
 * these are the numbers to watch when a scan is slow or costly.
 *
 * <p>Thread-safe: vectored reads complete on storage threads.
 */
public final class StorageReads {
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();

  void add(long requestCount, long byteCount) {
    requests.addAndGet(requestCount);
    bytes.addAndGet(byteCount);
  }

  public long requests() {
    return requests.get();
  }

  public long bytes() {
    return bytes.get();
  }
}
