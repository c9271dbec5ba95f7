package dev.quiver.shuffle.spill;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Where one process spills: a directory of its own, made on the first spill inside the configured
 * directory (so several processes may share that), holding one file per {@link SpillFile}. A file
 * is deleted when it is closed; {@link #close()} deletes whatever is left and the directory.
 *
 * <p>Writing and reading spill files needs a little memory of its own (a chunk of rows and its
 * compressed copy); it comes from the space's allocator, not from the spilling query's, since a
 * query spills exactly when its own memory ran short. Thread-safe.
 */
public final class SpillSpace implements AutoCloseable {
  private final Path parent;
  private final BufferAllocator allocator;
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLong bytesWritten = new AtomicLong();
  private final Set<Path> files = ConcurrentHashMap.newKeySet();
  private Path directory;

  /**
   * @param parent the configured spill directory; created if missing
   * @param allocator where spill I/O buffers live; outlives the space, which does not close it
   */
  public SpillSpace(Path parent, BufferAllocator allocator) {
    this.parent = requireNonNull(parent, "parent is null").toAbsolutePath();
    this.allocator = requireNonNull(allocator, "allocator is null");
  }

  /** The configured directory, for messages. */
  public Path parent() {
    return parent;
  }

  /**
   * A new, empty spill file for batches of {@code schema}.
   *
   * @param owner names the file, e.g. the query id
   * @throws SpillException if the directory cannot be made
   */
  public SpillFile create(String owner, Schema schema) {
    Path file =
        directory()
            .resolve(
                owner.replaceAll("[^A-Za-z0-9._-]", "_")
                    + "-"
                    + sequence.incrementAndGet()
                    + ".arrows");
    files.add(file);
    try {
      return new SpillFile(this, file, schema, allocator);
    } catch (RuntimeException e) {
      files.remove(file);
      throw e;
    }
  }

  private synchronized Path directory() {
    if (directory == null) {
      try {
        Files.createDirectories(parent);
        directory = Files.createTempDirectory(parent, "quiver-spill-");
      } catch (IOException | UnsupportedOperationException e) {
        throw failure("cannot create a spill directory", e);
      }
    }
    return directory;
  }

  /** Where spill I/O buffers live. */
  public BufferAllocator allocator() {
    return allocator;
  }

  /** Spill files on disk now. */
  public int fileCount() {
    return files.size();
  }

  /** Compressed bytes written to spill files since the space was made. */
  public long bytesWritten() {
    return bytesWritten.get();
  }

  void wrote(long bytes) {
    bytesWritten.addAndGet(bytes);
  }

  void deleted(Path file) {
    files.remove(file);
  }

  SpillException failure(String what, Exception cause) {
    String reason = cause.getMessage() == null ? cause.toString() : cause.getMessage();
    if (cause instanceof UncheckedIOException unchecked && unchecked.getCause() != null) {
      reason = unchecked.getCause().getMessage();
    }
    return new SpillException(
        parent, "Spilling to " + parent + " failed: " + what + " (" + reason + ")", cause);
  }

  /** Deletes every file left and the process's directory. */
  @Override
  public synchronized void close() {
    for (Path file : Set.copyOf(files)) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // Best effort: the directory goes below, or stays for an operator to remove.
      }
      files.remove(file);
    }
    if (directory != null) {
      try (Stream<Path> left = Files.list(directory)) {
        for (Path file : left.toList()) {
          Files.deleteIfExists(file);
        }
        Files.deleteIfExists(directory);
      } catch (IOException e) {
        // Best effort, as above.
      }
      directory = null;
    }
  }
}
