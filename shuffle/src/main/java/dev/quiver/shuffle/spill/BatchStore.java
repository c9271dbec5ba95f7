package dev.quiver.shuffle.spill;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Batches kept for a later stage: in memory while they fit a budget, in one spill file beyond it
 * (e.g. a node's partial groups, kept until the coordinator gathers or shuffles them). Thread-safe.
 */
public final class BatchStore implements AutoCloseable {
  private final Schema schema;
  private final BufferAllocator allocator;
  private final long budget;
  private final SpillSpace space;
  private final String owner;
  private final List<VectorSchemaRoot> inMemory = new ArrayList<>();
  private long memoryBytes;
  private long rows;
  private SpillFile file;
  private boolean taken;

  /**
   * @param allocator where batches read back from disk live
   * @param budget bytes of batches kept in memory before the next ones go to disk
   * @param space where batches beyond the budget go; null keeps them all in memory
   * @param owner names the spill file, e.g. the query id
   */
  public BatchStore(
      Schema schema, BufferAllocator allocator, long budget, SpillSpace space, String owner) {
    this.schema = requireNonNull(schema, "schema is null");
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.budget = budget;
    this.space = space;
    this.owner = requireNonNull(owner, "owner is null");
  }

  public Schema schema() {
    return schema;
  }

  /** Keeps {@code batch}, which the store owns from now on (it is closed once on disk). */
  public synchronized void add(VectorSchemaRoot batch) {
    if (taken) {
      batch.close();
      throw new IllegalStateException("The store's batches were already taken");
    }
    long bytes = bytes(batch);
    rows += batch.getRowCount();
    if (space == null || memoryBytes + bytes <= budget || inMemory.isEmpty()) {
      inMemory.add(batch);
      memoryBytes += bytes;
      return;
    }
    try (batch) {
      if (file == null) {
        file = space.create(owner, schema);
      }
      file.write(batch);
    }
  }

  /** Rows kept. */
  public synchronized long rows() {
    return rows;
  }

  /** Bytes kept: Arrow bytes in memory and compressed bytes on disk. */
  public synchronized long bytes() {
    return memoryBytes + (file == null ? 0 : file.bytes());
  }

  /** Whether some batches went to disk. */
  public synchronized boolean spilled() {
    return file != null;
  }

  /** How many batches are in memory; with no spill, all of them. */
  public synchronized int batchesInMemory() {
    return inMemory.size();
  }

  /**
   * Hands the batches out, those in memory first, then those on disk; the store holds nothing
   * afterwards but the spill file, which it deletes once closed (close the source first).
   */
  public synchronized BatchSource take() {
    if (taken) {
      throw new IllegalStateException("The store's batches were already taken");
    }
    taken = true;
    List<VectorSchemaRoot> batches = new ArrayList<>(inMemory);
    inMemory.clear();
    memoryBytes = 0;
    BatchSource disk = file == null ? null : file.read(allocator);
    return new BatchSource() {
      private int next;
      private BatchSource rest = disk;

      @Override
      public VectorSchemaRoot next() {
        if (next < batches.size()) {
          VectorSchemaRoot batch = batches.get(next);
          batches.set(next++, null);
          return batch;
        }
        return rest == null ? null : rest.next();
      }

      @Override
      public void close() {
        for (int b = next; b < batches.size(); b++) {
          batches.get(b).close();
        }
        next = batches.size();
        if (rest != null) {
          rest.close();
          rest = null;
        }
      }
    };
  }

  private static long bytes(VectorSchemaRoot batch) {
    long bytes = 0;
    for (FieldVector vector : batch.getFieldVectors()) {
      bytes += vector.getBufferSize();
    }
    return bytes;
  }

  @Override
  public synchronized void close() {
    inMemory.forEach(VectorSchemaRoot::close);
    inMemory.clear();
    memoryBytes = 0;
    if (file != null) {
      file.close();
      file = null;
    }
  }
}
