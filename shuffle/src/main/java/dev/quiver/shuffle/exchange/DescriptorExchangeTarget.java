package dev.quiver.shuffle.exchange;

import static java.util.Objects.requireNonNull;

import dev.quiver.shuffle.objectstore.ObjectStore;
import dev.quiver.shuffle.objectstore.ObjectStoreException;
import dev.quiver.shuffle.objectstore.ObjectWriter;
import dev.quiver.shuffle.objectstore.SharedObject;
import dev.quiver.shuffle.partition.HashPartitioner;
import java.util.List;
import java.util.function.Predicate;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A partition for a node on the same host: its rows are written once into this node's shared-memory
 * {@link ObjectStore}, and only the sealed object's descriptor travels; the receiver maps the file
 * and merges the batches where they are. The object is deleted once the receiver has them (or the
 * send failed). A receiver that cannot read this store (it restarted with a new one since the
 * sender checked) refuses the descriptor unread, and the rows go by the fallback stream.
 */
public final class DescriptorExchangeTarget implements ExchangeTarget {
  private final String name;
  private final ObjectStore store;
  private final int batchRows;
  private final BufferAllocator allocator;
  private final Runnable cancelled;
  private final Predicate<SharedObject> announce;
  private final ExchangeTarget fallback;
  private long descriptorBytes;
  private boolean refused;

  /**
   * @param allocator where the copied rows are staged, one batch at a time
   * @param cancelled checked before each batch; throws to stop
   * @param announce hands the sealed object's descriptor to the receiver and returns true once the
   *     receiver has merged it, false if the receiver refused it unread because it cannot read this
   *     store; throws if the receiver failed
   * @param fallback sends the rows as a stream when the store has no room for them (full, or its
   *     file system is) or the receiver refused the descriptor
   */
  public DescriptorExchangeTarget(
      String name,
      ObjectStore store,
      int batchRows,
      BufferAllocator allocator,
      Runnable cancelled,
      Predicate<SharedObject> announce,
      ExchangeTarget fallback) {
    this.name = requireNonNull(name, "name is null");
    this.store = requireNonNull(store, "store is null");
    this.batchRows = batchRows;
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.cancelled = requireNonNull(cancelled, "cancelled is null");
    this.announce = requireNonNull(announce, "announce is null");
    this.fallback = requireNonNull(fallback, "fallback is null");
  }

  @Override
  public long send(List<Slice> slices) {
    if (slices.isEmpty()) {
      return 0;
    }
    if (refused) {
      return fallback.send(slices); // the receiver cannot read this store: the rest as streams
    }
    ObjectWriter writer;
    try {
      writer = store.create(slices.get(0).source().getSchema());
    } catch (ObjectStoreException e) {
      return fallback.send(slices); // shared memory cannot take it: as a stream
    }
    try {
      long bytes = sendByDescriptor(slices, writer);
      return bytes != REFUSED ? bytes : fallback.send(slices); // the receiver cannot read it
    } catch (ObjectStoreException e) {
      if (e.reason() != ObjectStoreException.Reason.FULL
          && e.reason() != ObjectStoreException.Reason.IO) {
        throw e;
      }
      writer.close();
      store.delete(writer.id());
      return fallback.send(slices); // no room in shared memory: as a stream
    }
  }

  /** What {@link #sendByDescriptor} returns when the receiver refused the object unread. */
  private static final long REFUSED = -1;

  private long sendByDescriptor(List<Slice> slices, ObjectWriter writer) {
    try {
      for (Slice slice : slices) {
        int[] rows = slice.rows();
        for (int from = 0; from < rows.length; from += batchRows) {
          cancelled.run();
          int to = Math.min(rows.length, from + batchRows);
          try (VectorSchemaRoot batch =
              HashPartitioner.copyRows(slice.source(), rows, from, to, allocator)) {
            writer.write(batch);
          }
        }
      }
      SharedObject object = writer.seal();
      if (!announce.test(object)) {
        refused = true;
        return REFUSED;
      }
      descriptorBytes += object.bytes();
      return object.bytes();
    } finally {
      writer.close(); // fails the object unless sealed
      store.delete(writer.id());
    }
  }

  @Override
  public boolean isRemote() {
    return true;
  }

  @Override
  public boolean byDescriptor() {
    return true;
  }

  @Override
  public long descriptorBytes() {
    return descriptorBytes;
  }

  @Override
  public String name() {
    return name;
  }
}
