package dev.quiver.server.exec;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.scan.ScanStatistics;
import dev.quiver.shuffle.partition.HashPartitioner;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Hands on a copy of each of some batches that others hold too (rows broadcast to a task, read by
 * each of its scan threads): the batches are only read, never moved; each copy is this operator's
 * until the next call.
 */
public final class CopiesOperator implements Operator {
  private final Schema schema;
  private final List<VectorSchemaRoot> batches;
  private final BufferAllocator allocator;
  private int next;
  private VectorSchemaRoot copy;

  /**
   * @param batches read only; they must outlive the operator
   * @param allocator where the copies are made
   */
  public CopiesOperator(Schema schema, List<VectorSchemaRoot> batches, BufferAllocator allocator) {
    this.schema = requireNonNull(schema, "schema is null");
    this.batches = requireNonNull(batches, "batches is null");
    this.allocator = requireNonNull(allocator, "allocator is null");
  }

  @Override
  public Schema schema() {
    return schema;
  }

  @Override
  public boolean next() {
    closeCopy();
    if (next >= batches.size()) {
      return false;
    }
    VectorSchemaRoot batch = batches.get(next++);
    copy = HashPartitioner.copyAll(batch, allocator);
    return true;
  }

  @Override
  public VectorSchemaRoot root() {
    return copy;
  }

  @Override
  public ScanStatistics statistics() {
    return ScanStatistics.EMPTY;
  }

  @Override
  public void close() {
    closeCopy();
  }

  private void closeCopy() {
    if (copy != null) {
      copy.close();
      copy = null;
    }
  }
}
