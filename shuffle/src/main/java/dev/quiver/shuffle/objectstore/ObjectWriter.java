package dev.quiver.shuffle.objectstore;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Writes one object of an {@link ObjectStore}: record batches appended to an Arrow IPC file
 * (uncompressed, so that readers can map the buffers as they are), then {@link #seal() sealed}.
 * Until sealed, the file has a temporary name and readers' {@code get} waits. Closing an unsealed
 * writer fails the object. Not thread-safe.
 */
public final class ObjectWriter implements AutoCloseable {
  private final ObjectStore store;
  private final String id;
  private final Path writing;
  private final Schema schema;
  private final FileChannel channel;
  private final VectorSchemaRoot staging;
  private final ArrowFileWriter writer;
  private long rows;
  private long written;
  private boolean done;

  ObjectWriter(ObjectStore store, String id, Path file, Schema schema, BufferAllocator allocator) {
    this.store = requireNonNull(store, "store is null");
    this.id = requireNonNull(id, "id is null");
    this.schema = requireNonNull(schema, "schema is null");
    this.writing = file.resolveSibling(file.getFileName() + ".writing");
    try {
      this.channel =
          FileChannel.open(writing, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new ObjectStoreException(
          ObjectStoreException.Reason.IO,
          "Cannot create object " + id + " in " + file.getParent() + ": " + e.getMessage(),
          e);
    }
    this.staging = VectorSchemaRoot.create(schema, allocator);
    this.writer = new ArrowFileWriter(staging, null, channel);
    try {
      writer.start();
    } catch (IOException e) {
      close();
      throw io("start", e);
    }
  }

  public String id() {
    return id;
  }

  /**
   * Appends every row of {@code batch} (of the object's schema), which is only read.
   *
   * @throws ObjectStoreException FULL when the store has no room left for it
   */
  public void write(VectorSchemaRoot batch) {
    if (done) {
      throw new IllegalStateException("Object " + id + " is already sealed or failed");
    }
    try (ArrowRecordBatch message = new VectorUnloader(batch).getRecordBatch()) {
      new VectorLoader(staging).load(message);
      writer.writeBatch();
      staging.clear();
      long size = channel.position();
      store.grew(id, size - written);
      written = size;
      rows += batch.getRowCount();
    } catch (IOException e) {
      throw io("write", e);
    }
  }

  /**
   * Ends the file and makes the object visible, immutable from now on.
   *
   * @return the object as readers see it
   */
  public SharedObject seal() {
    if (done) {
      throw new IllegalStateException("Object " + id + " is already sealed or failed");
    }
    try {
      writer.end();
      store.grew(id, channel.position() - written);
      writer.close();
      staging.close();
      done = true;
      return store.seal(id, writing, rows, schema.toJson());
    } catch (IOException e) {
      throw io("seal", e);
    }
  }

  private ObjectStoreException io(String what, IOException e) {
    return new ObjectStoreException(
        ObjectStoreException.Reason.IO,
        "Cannot " + what + " object " + id + ": " + e.getMessage(),
        e);
  }

  /** Fails the object unless it was sealed, giving {@code why} to readers that wait for it. */
  public void abort(String why) {
    if (done) {
      return;
    }
    done = true;
    try {
      writer.close();
    } catch (RuntimeException e) {
      // The file is deleted below either way.
    } finally {
      staging.close();
      try {
        Files.deleteIfExists(writing);
      } catch (IOException e) {
        // The store's directory goes when it closes.
      }
      store.fail(id, why);
    }
  }

  @Override
  public void close() {
    abort("its writer stopped before sealing it");
  }
}
