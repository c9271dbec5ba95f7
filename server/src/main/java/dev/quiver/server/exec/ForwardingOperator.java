package dev.quiver.server.exec;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.scan.ScanStatistics;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An operator that hands on its input's batches as they are, for wrappers that only watch them
 * (count, time, act at the end): they override {@link #next()} and, where they own more, {@link
 * #close()}.
 */
public abstract class ForwardingOperator implements Operator {
  protected final Operator input;

  protected ForwardingOperator(Operator input) {
    this.input = requireNonNull(input, "input is null");
  }

  @Override
  public Schema schema() {
    return input.schema();
  }

  @Override
  public boolean next() {
    return input.next();
  }

  @Override
  public VectorSchemaRoot root() {
    return input.root();
  }

  @Override
  public ScanStatistics statistics() {
    return input.statistics();
  }

  @Override
  public void close() {
    input.close();
  }
}
