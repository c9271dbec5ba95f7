package dev.quiver.server.exec;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.scan.ScanStatistics;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Hands on one batch that is already computed (a node's partial result held in its fragment, say).
 * The operator owns the batch from construction on and frees it when closed.
 */
public final class BatchOperator implements Operator {
  private final VectorSchemaRoot batch;
  private boolean handed;

  /**
   * @param batch taken over by the operator
   */
  public BatchOperator(VectorSchemaRoot batch) {
    this.batch = requireNonNull(batch, "batch is null");
  }

  @Override
  public Schema schema() {
    return batch.getSchema();
  }

  @Override
  public boolean next() {
    if (handed) {
      return false;
    }
    handed = true;
    return true;
  }

  @Override
  public VectorSchemaRoot root() {
    return batch;
  }

  @Override
  public ScanStatistics statistics() {
    return ScanStatistics.EMPTY;
  }

  @Override
  public void close() {
    batch.close();
  }
}
