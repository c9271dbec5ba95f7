package dev.quiver.server.exec;

import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Passes the first {@code limit} rows of its input on, trimming the last batch, and stops pulling
 * from its input once it has them.
 */
public final class LimitOperator extends InputOperator {
  private final long limit;
  private long returned;

  public LimitOperator(Operator input, long limit) {
    super(input);
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative: " + limit);
    }
    this.limit = limit;
  }

  @Override
  public boolean next() {
    if (returned >= limit || !input.next()) {
      return false;
    }
    VectorSchemaRoot batch = input.root();
    int rows = batch.getRowCount();
    if (returned + rows > limit) {
      batch.setRowCount((int) (limit - returned));
    }
    returned += batch.getRowCount();
    return true;
  }

  @Override
  public VectorSchemaRoot root() {
    return input.root();
  }
}
