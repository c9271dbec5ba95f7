package dev.quiver.parquet.dataset;

import dev.quiver.parquet.storage.StoredFile;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The footers of lazily loaded files, read on first use and kept up to a number of files, least
 * recently used dropped first (and read again when needed). A file that changed since it was listed
 * is another key: its old footer is never served for it.
 *
 * <p>Thread-safe. Two threads missing the same footer at once may both read it.
 */
public final class FooterCache {
  private final int maxFiles;
  private final Map<StoredFile, FileFooter> footers;
  private long reads;

  /**
   * @param maxFiles the most footers kept
   */
  public FooterCache(int maxFiles) {
    if (maxFiles < 1) {
      throw new IllegalArgumentException("A footer cache keeps at least 1 file, not " + maxFiles);
    }
    this.maxFiles = maxFiles;
    this.footers =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<StoredFile, FileFooter> eldest) {
            return size() > FooterCache.this.maxFiles;
          }
        };
  }

  FileFooter get(StoredFile file) {
    synchronized (this) {
      FileFooter cached = footers.get(file);
      if (cached != null) {
        return cached;
      }
    }
    FileFooter read = DatasetLoader.readFooter(file);
    synchronized (this) {
      reads++;
      footers.put(file, read);
    }
    return read;
  }

  synchronized void put(StoredFile file, FileFooter footer) {
    footers.put(file, footer);
  }

  synchronized boolean contains(StoredFile file) {
    return footers.containsKey(file);
  }

  /** Footers kept now. */
  public synchronized int size() {
    return footers.size();
  }

  /** Footers read from storage so far (misses). */
  public synchronized long reads() {
    return reads;
  }
}
