package dev.quiver.shuffle.exchange;

import static java.util.Objects.requireNonNull;

import dev.quiver.shuffle.partition.HashPartitioner;
import java.util.List;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * This node's own partition of an exchange: the rows are copied, in batches of at most {@code
 * batchRows}, and handed to the receiver directly, as a peer's {@code DoPut} would hand them.
 */
public final class LocalExchangeTarget implements ExchangeTarget {
  private final String name;
  private final Consumer<VectorSchemaRoot> receiver;
  private final int batchRows;
  private final BufferAllocator allocator;

  /**
   * @param receiver reads each batch and keeps nothing of it; the batch is freed after the call
   * @param allocator where the copies live
   */
  public LocalExchangeTarget(
      String name, Consumer<VectorSchemaRoot> receiver, int batchRows, BufferAllocator allocator) {
    this.name = requireNonNull(name, "name is null");
    this.receiver = requireNonNull(receiver, "receiver is null");
    this.batchRows = batchRows;
    this.allocator = requireNonNull(allocator, "allocator is null");
  }

  @Override
  public long send(List<Slice> slices) {
    long bytes = 0;
    for (Slice slice : slices) {
      int[] rows = slice.rows();
      for (int from = 0; from < rows.length; from += batchRows) {
        int to = Math.min(rows.length, from + batchRows);
        try (VectorSchemaRoot batch =
            HashPartitioner.copyRows(slice.source(), rows, from, to, allocator)) {
          for (FieldVector vector : batch.getFieldVectors()) {
            bytes += vector.getBufferSize();
          }
          receiver.accept(batch);
        }
      }
    }
    return bytes;
  }

  @Override
  public boolean isRemote() {
    return false;
  }

  @Override
  public String name() {
    return name;
  }
}
