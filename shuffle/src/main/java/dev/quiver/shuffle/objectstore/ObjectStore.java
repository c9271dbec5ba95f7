package dev.quiver.shuffle.objectstore;

import static java.util.Objects.requireNonNull;

import dev.quiver.shuffle.objectstore.ObjectStoreException.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Immutable Arrow objects in files that every process on the host can map, bounded in bytes.
 *
 * <p>The store lives in a directory of its own, made inside the configured one (so several nodes on
 * a host may share that) and deleted on {@link #close()}. Beside the objects it keeps a nonce file:
 * a client that can read it is on this host and sees this directory, which is how a client proves
 * it may be handed paths instead of bytes.
 *
 * <p>Life of an object: {@link #create} gives an {@link ObjectWriter}; the writer appends record
 * batches and {@link ObjectWriter#seal seals}, after which the file never changes. {@link #get}
 * waits until the object is sealed (or failed, or the timeout passes) and pins it; {@link #release}
 * unpins. A pin lapses after the time to live (a reader that died holding it), and a sealed object
 * nobody pins is deleted once unused for the time to live, or earlier, least recently used first,
 * when new bytes would exceed the capacity. Thread-safe.
 */
public final class ObjectStore implements AutoCloseable {
  private static final String EXTENSION = ".arrow";

  private final Path directory;
  private final long capacity;
  private final Duration ttl;
  private final BufferAllocator allocator;
  private final String nonce;
  private final Map<String, Entry> objects = new LinkedHashMap<>(16, 0.75f, true);
  private long bytes;
  private boolean closed;

  /**
   * @param parent the configured directory (e.g. {@code /dev/shm/quiver}); created if missing
   * @param capacity most bytes of objects at once; no more than the directory's file system has
   *     free when the store is made
   * @param ttl how long an unpinned object is kept unused, and how long a pin lasts
   * @param allocator where writers stage batches; must outlive the store
   * @throws ObjectStoreException IO if the directory cannot be made
   */
  public ObjectStore(Path parent, long capacity, Duration ttl, BufferAllocator allocator) {
    this.ttl = requireNonNull(ttl, "ttl is null");
    this.allocator = requireNonNull(allocator, "allocator is null");
    byte[] random = new byte[16];
    new SecureRandom().nextBytes(random);
    this.nonce = HexFormat.of().formatHex(random);
    try {
      Files.createDirectories(parent);
      this.directory = Files.createTempDirectory(parent.toAbsolutePath(), "quiver-objects-");
      Files.writeString(nonceFile(), nonce);
      this.capacity = Math.min(capacity, Files.getFileStore(directory).getUsableSpace());
    } catch (IOException | UnsupportedOperationException e) {
      throw new ObjectStoreException(
          Reason.IO, "Cannot make an object store in " + parent + ": " + e.getMessage(), e);
    }
  }

  /** Most bytes of objects at once. */
  public long capacity() {
    return capacity;
  }

  /** The store's own directory, where every object's file is. */
  public Path directory() {
    return directory;
  }

  /** The file whose content a same-host client reads and sends back as {@link #nonce()}. */
  public Path nonceFile() {
    return directory.resolve("nonce");
  }

  /** The secret in {@link #nonceFile()}. */
  public String nonce() {
    return nonce;
  }

  /** Whether {@code claimed} is this store's nonce (compared in constant time). */
  public boolean isNonce(String claimed) {
    return claimed != null
        && java.security.MessageDigest.isEqual(
            nonce.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
            claimed.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }

  /**
   * A new object, being written; nobody can {@link #get} it sealed until its writer seals it.
   *
   * @throws ObjectStoreException IO if its file cannot be made
   */
  public ObjectWriter create(Schema schema) {
    String id = UUID.randomUUID().toString();
    Entry entry = new Entry(id, directory.resolve(id + EXTENSION));
    synchronized (this) {
      if (closed) {
        throw new ObjectStoreException(Reason.NOT_FOUND, "The object store is closed", null);
      }
      objects.put(id, entry);
    }
    try {
      return new ObjectWriter(this, id, entry.file, schema, allocator);
    } catch (RuntimeException e) {
      fail(id, e.getMessage());
      throw e;
    }
  }

  /**
   * Waits until object {@code id} is sealed, then pins it for the caller, who must {@link #release}
   * it (or the pin lapses after the time to live).
   *
   * @throws ObjectStoreException NOT_FOUND, FAILED (with the writer's reason) or TIMEOUT
   */
  public synchronized SharedObject get(String id, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Entry entry = objects.get(id);
      if (entry == null) {
        throw new ObjectStoreException(
            Reason.NOT_FOUND,
            "No object " + id + " in the store: it was never made, or was released and removed",
            null);
      }
      switch (entry.state) {
        case SEALED -> {
          entry.pins.add(System.nanoTime() + ttl.toNanos());
          entry.lastUsed = System.nanoTime();
          return entry.describe();
        }
        case FAILED ->
            throw new ObjectStoreException(
                Reason.FAILED, "Object " + id + " was not made: " + entry.failure, null);
        case WRITING -> {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new ObjectStoreException(
                Reason.TIMEOUT, "Object " + id + " was not sealed within " + timeout, null);
          }
          try {
            wait(Math.max(1, left / 1_000_000));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ObjectStoreException(
                Reason.TIMEOUT, "Interrupted while waiting for object " + id, e);
          }
        }
      }
    }
  }

  /** Drops one pin of object {@code id}; it may be evicted once no pin is left. */
  public synchronized void release(String id) {
    Entry entry = objects.get(id);
    if (entry != null && !entry.pins.isEmpty()) {
      entry.pins.remove(0);
      entry.lastUsed = System.nanoTime();
    }
  }

  /** Deletes object {@code id} now, pinned or not (its writer, if any, fails). */
  public synchronized void delete(String id) {
    Entry entry = objects.remove(id);
    if (entry != null) {
      remove(entry);
      notifyAll();
    }
  }

  /** Objects in the store, sealed or being written. */
  public synchronized int count() {
    return objects.size();
  }

  /** Bytes of all objects, sealed or being written. */
  public synchronized long bytes() {
    return bytes;
  }

  /**
   * Drops lapsed pins and deletes sealed or failed objects nobody pins that were unused for the
   * time to live.
   *
   * @return objects deleted
   */
  public synchronized int sweep() {
    long now = System.nanoTime();
    int deleted = 0;
    for (Iterator<Entry> it = objects.values().iterator(); it.hasNext(); ) {
      Entry entry = it.next();
      entry.pins.removeIf(expiry -> now - expiry > 0);
      if (entry.state != State.WRITING
          && entry.pins.isEmpty()
          && now - entry.lastUsed > ttl.toNanos()) {
        it.remove();
        remove(entry);
        deleted++;
      }
    }
    return deleted;
  }

  synchronized void grew(String id, long newBytes) {
    Entry entry = objects.get(id);
    if (entry == null || entry.state != State.WRITING) {
      throw new ObjectStoreException(
          Reason.NOT_FOUND, "Object " + id + " was deleted while being written", null);
    }
    makeRoom(newBytes, id);
    entry.bytes += newBytes;
    bytes += newBytes;
  }

  /** Evicts unpinned sealed objects, least recently used first, until {@code more} bytes fit. */
  private void makeRoom(long more, String writing) {
    if (bytes + more <= capacity) {
      return;
    }
    List<Entry> evicted = new ArrayList<>();
    for (Entry entry : objects.values()) {
      if (bytes + more - evicted.stream().mapToLong(e -> e.bytes).sum() <= capacity) {
        break;
      }
      if (entry.state != State.WRITING && entry.pins.isEmpty()) {
        evicted.add(entry);
      }
    }
    for (Entry entry : evicted) {
      objects.remove(entry.id);
      remove(entry);
    }
    if (bytes + more > capacity) {
      throw new ObjectStoreException(
          Reason.FULL,
          "The object store in "
              + directory
              + " is full: object "
              + writing
              + " needs "
              + more
              + " more bytes, "
              + bytes
              + " of "
              + capacity
              + " are pinned or being written",
          null);
    }
  }

  synchronized SharedObject seal(String id, Path written, long rows, String schema) {
    Entry entry = objects.get(id);
    if (entry == null || entry.state != State.WRITING) {
      throw new ObjectStoreException(
          Reason.NOT_FOUND, "Object " + id + " was deleted while being written", null);
    }
    try {
      Files.move(written, entry.file, StandardCopyOption.ATOMIC_MOVE);
      long size = Files.size(entry.file);
      bytes += size - entry.bytes;
      entry.bytes = size;
    } catch (IOException e) {
      throw new ObjectStoreException(
          Reason.IO, "Cannot seal object " + id + ": " + e.getMessage(), e);
    }
    entry.rows = rows;
    entry.schema = schema;
    entry.state = State.SEALED;
    entry.lastUsed = System.nanoTime();
    notifyAll();
    return entry.describe();
  }

  synchronized void fail(String id, String why) {
    Entry entry = objects.get(id);
    if (entry != null && entry.state == State.WRITING) {
      entry.state = State.FAILED;
      entry.failure = why;
      entry.lastUsed = System.nanoTime();
      bytes -= entry.bytes;
      entry.bytes = 0;
      notifyAll();
    }
  }

  private void remove(Entry entry) {
    bytes -= entry.bytes;
    entry.bytes = 0;
    if (entry.state == State.WRITING) {
      entry.state = State.FAILED;
      entry.failure = "deleted while being written";
    }
    try {
      Files.deleteIfExists(entry.file);
    } catch (IOException e) {
      // The directory goes when the store closes.
    }
  }

  /** Deletes every object and the store's directory. */
  @Override
  public synchronized void close() {
    closed = true;
    new ArrayList<>(objects.values()).forEach(this::remove);
    objects.clear();
    notifyAll();
    try (Stream<Path> left = Files.list(directory)) {
      for (Path file : left.toList()) {
        Files.deleteIfExists(file);
      }
      Files.deleteIfExists(directory);
    } catch (IOException e) {
      // Best effort: a directory left under /dev/shm is removed by the next reboot.
    }
  }

  private enum State {
    WRITING,
    SEALED,
    FAILED
  }

  /** One object's bookkeeping. */
  private static final class Entry {
    final String id;
    final Path file;
    State state = State.WRITING;
    long bytes;
    long rows;
    String schema;
    String failure;
    final List<Long> pins = new ArrayList<>();
    long lastUsed = System.nanoTime();

    Entry(String id, Path file) {
      this.id = id;
      this.file = file;
    }

    SharedObject describe() {
      return new SharedObject(id, file.toString(), bytes, rows, schema);
    }
  }
}
