package dev.quiver.server.exec;

import dev.quiver.parquet.scan.ScanStatistics;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An operator that fills one output root of its own, batch after batch, from something other than
 * an input operator (rows held for sorting, sorted runs, an assembled answer): the root is its
 * batch until the next {@link #next()}, and closing the operator frees it.
 */
public abstract class RootOperator implements Operator {
  protected final VectorSchemaRoot out;

  protected RootOperator(Schema schema, BufferAllocator allocator) {
    this.out = VectorSchemaRoot.create(schema, allocator);
  }

  @Override
  public final Schema schema() {
    return out.getSchema();
  }

  @Override
  public final VectorSchemaRoot root() {
    return out;
  }

  @Override
  public ScanStatistics statistics() {
    return ScanStatistics.EMPTY;
  }

  @Override
  public void close() {
    out.close();
  }
}
