package dev.quiver.server.exec;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.scan.ScanStatistics;
import dev.quiver.server.expression.Evaluator;
import dev.quiver.server.expression.Expression;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/** Rows of constants, written in the query, as one batch. */
public final class ValuesOperator implements Operator {
  private final List<List<Expression>> rows;
  private final Schema schema;
  private final ExecutionContext context;
  private VectorSchemaRoot batch;
  private boolean done;

  /**
   * @param rows each row's constant expressions, one per column of {@code schema}
   */
  public ValuesOperator(List<List<Expression>> rows, Schema schema, ExecutionContext context) {
    this.rows = requireNonNull(rows, "rows is null");
    this.schema = requireNonNull(schema, "schema is null");
    this.context = requireNonNull(context, "context is null");
  }

  @Override
  public Schema schema() {
    return schema;
  }

  @Override
  public boolean next() {
    if (done) {
      return false;
    }
    done = true;
    if (rows.isEmpty()) {
      return false;
    }
    batch = VectorSchemaRoot.create(schema, context.allocator());
    try (VectorSchemaRoot one = VectorSchemaRoot.of()) {
      one.setRowCount(1);
      Evaluator evaluator = new Evaluator(one);
      for (int c = 0; c < schema.getFields().size(); c++) {
        FieldVector column = batch.getVector(c);
        column.setInitialCapacity(rows.size());
        column.allocateNew();
        for (int r = 0; r < rows.size(); r++) {
          try (FieldVector value = schema.getFields().get(c).createVector(context.allocator())) {
            evaluator.evaluateInto(rows.get(r).get(c), value);
            column.copyFromSafe(0, r, value);
          }
        }
        column.setValueCount(rows.size());
      }
    } catch (RuntimeException e) {
      batch.close();
      batch = null;
      throw e;
    }
    batch.setRowCount(rows.size());
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
    if (batch != null) {
      batch.close();
      batch = null;
    }
  }
}
