package dev.quiver.server.exec;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.expression.Evaluator;
import dev.quiver.server.expression.Expression;
import dev.quiver.shuffle.partition.HashPartitioner;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Keeps the rows of its input where a condition is TRUE (SQL: FALSE and NULL drop the row). A batch
 * whose rows all pass goes through untouched; otherwise the kept rows are copied into a batch of
 * this operator's. Batches with no row left are skipped.
 */
public final class FilterOperator extends InputOperator {
  private final Expression condition;
  private final BufferAllocator allocator;
  private VectorSchemaRoot filtered;
  private VectorSchemaRoot current;
  private int[] selection = new int[0];

  /**
   * @param condition a BOOLEAN expression over the input's columns
   */
  public FilterOperator(Operator input, Expression condition, ExecutionContext context) {
    super(input);
    this.condition = requireNonNull(condition, "condition is null");
    this.allocator = context.allocator();
  }

  @Override
  public boolean next() {
    closeFiltered();
    while (input.next()) {
      VectorSchemaRoot batch = input.root();
      int rows = batch.getRowCount();
      if (selection.length < rows) {
        selection = new int[rows];
      }
      int kept;
      try {
        kept = new Evaluator(batch).select(condition, selection);
      } catch (IllegalArgumentException | ArithmeticException e) {
        throw new QuiverException(
            ErrorCode.INVALID_ARGUMENT, "Cannot evaluate the condition: " + e.getMessage());
      }
      if (kept == rows) {
        current = batch;
        return true;
      }
      if (kept > 0) {
        filtered = HashPartitioner.copyRows(batch, selection, 0, kept, allocator);
        current = filtered;
        return true;
      }
    }
    return false;
  }

  @Override
  public VectorSchemaRoot root() {
    return current;
  }

  @Override
  protected void closeOwn() {
    closeFiltered();
  }

  private void closeFiltered() {
    if (filtered != null) {
      filtered.close();
      filtered = null;
    }
    current = null;
  }
}
