package dev.quiver.client;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A query's answer read from the node's shared-memory object store: a memory-mapped Arrow IPC file
 * whose batches load into {@link #root()} without a copy. Closing it unmaps the file (once no
 * vector refers to it) and unpins the object on the node, which may then evict it.
 */
public final class SharedResult implements BatchStream {
  private final String id;
  private final long rows;
  private final long bytes;
  private final MappedArrowFile file;
  private final VectorSchemaRoot root;
  private final Runnable release;
  private int next;
  private boolean closed;

  SharedResult(
      String id, Path path, long rows, long bytes, BufferAllocator allocator, Runnable release) {
    this.id = requireNonNull(id, "id is null");
    this.rows = rows;
    this.bytes = bytes;
    this.release = requireNonNull(release, "release is null");
    this.file = MappedArrowFile.open(path, allocator);
    this.root = VectorSchemaRoot.create(file.schema(), allocator);
  }

  /** The object's id in the node's store. */
  public String id() {
    return id;
  }

  /** Where the object's file is. */
  public Path path() {
    return file.path();
  }

  /** Rows of the whole answer. */
  public long rows() {
    return rows;
  }

  @Override
  public Schema schema() {
    return file.schema();
  }

  @Override
  public boolean next() {
    if (next == file.batchCount()) {
      return false;
    }
    file.load(next++, root);
    return true;
  }

  @Override
  public VectorSchemaRoot root() {
    return root;
  }

  /** The object's size: its bytes were mapped, not received. */
  @Override
  public long bytesReceived() {
    return bytes;
  }

  @Override
  public QueryStatistics statistics() {
    return QueryStatistics.EMPTY;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      root.close();
      file.close();
    } finally {
      release.run();
    }
  }
}
