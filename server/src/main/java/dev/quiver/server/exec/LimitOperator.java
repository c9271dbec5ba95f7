package dev.quiver.server.exec;

import dev.quiver.shuffle.partition.HashPartitioner;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Skips the first {@code offset} rows of its input, passes the next {@code limit} on, trimming the
 * batches at both ends, and stops pulling from its input once it has them.
 */
public final class LimitOperator extends InputOperator {
  private final long offset;
  private final long limit;
  private final ExecutionContext context;
  private long skipped;
  private long returned;
  private VectorSchemaRoot current;
  private VectorSchemaRoot trimmed;

  public LimitOperator(Operator input, long limit) {
    this(input, 0, limit, null);
  }

  /**
   * @param context where a batch trimmed at its start is copied; may be null when {@code offset} is
   *     0
   */
  public LimitOperator(Operator input, long offset, long limit, ExecutionContext context) {
    super(input);
    if (limit < 0 || offset < 0) {
      throw new IllegalArgumentException(
          "offset and limit must not be negative: " + offset + ", " + limit);
    }
    if (offset > 0 && context == null) {
      throw new IllegalArgumentException("An offset needs a context to copy rows in");
    }
    this.offset = offset;
    this.limit = limit;
    this.context = context;
  }

  @Override
  public boolean next() {
    closeTrimmed();
    while (returned < limit && input.next()) {
      VectorSchemaRoot batch = input.root();
      int rows = batch.getRowCount();
      int skip = (int) Math.min(rows, offset - skipped);
      skipped += skip;
      int take = (int) Math.min(rows - skip, limit - returned);
      if (take <= 0) {
        continue;
      }
      returned += take;
      if (skip == 0) {
        batch.setRowCount(take);
        current = batch;
      } else {
        int[] rowsKept = new int[take];
        for (int i = 0; i < take; i++) {
          rowsKept[i] = skip + i;
        }
        trimmed = HashPartitioner.copyRows(batch, rowsKept, 0, take, context.allocator());
        current = trimmed;
      }
      return true;
    }
    return false;
  }

  @Override
  public VectorSchemaRoot root() {
    return current;
  }

  @Override
  protected void closeOwn() {
    closeTrimmed();
  }

  private void closeTrimmed() {
    if (trimmed != null) {
      trimmed.close();
      trimmed = null;
    }
    current = null;
  }
}
