package dev.quiver.server.exec;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.scan.ScanStatistics;
import dev.quiver.shuffle.spill.BatchSource;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The batches of a {@link BatchSource} (held in memory, or read back from a spill file) as an
 * operator; each batch is owned by the operator until the next {@link #next()} or {@link #close()}.
 */
public final class SourceOperator implements Operator {
  private final Schema schema;
  private final BatchSource source;
  private VectorSchemaRoot current;

  /**
   * @param source taken over by the operator
   */
  public SourceOperator(Schema schema, BatchSource source) {
    this.schema = requireNonNull(schema, "schema is null");
    this.source = requireNonNull(source, "source is null");
  }

  @Override
  public Schema schema() {
    return schema;
  }

  @Override
  public boolean next() {
    closeCurrent();
    current = source.next();
    return current != null;
  }

  @Override
  public VectorSchemaRoot root() {
    return current;
  }

  @Override
  public ScanStatistics statistics() {
    return ScanStatistics.EMPTY;
  }

  private void closeCurrent() {
    if (current != null) {
      current.close();
      current = null;
    }
  }

  @Override
  public void close() {
    try {
      closeCurrent();
    } finally {
      source.close();
    }
  }
}
