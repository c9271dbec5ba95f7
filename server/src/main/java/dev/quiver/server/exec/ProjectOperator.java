package dev.quiver.server.exec;

import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.expression.Evaluator;
import dev.quiver.server.expression.Expression;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Computes one column per expression from each input batch. An input column passed through moves
 * into the output without copying (the first time it is used); computed columns are evaluated a
 * whole column at a time. A value that cannot be computed (a bad CAST, an overflow) is
 * INVALID_ARGUMENT naming the column.
 */
public final class ProjectOperator extends InputOperator {
  private final List<Field> fields;
  private final List<Expression> expressions;
  private final VectorSchemaRoot output;

  /**
   * @param fields the output columns, one per expression
   */
  public ProjectOperator(
      Operator input, List<Field> fields, List<Expression> expressions, ExecutionContext context) {
    super(input);
    this.fields = List.copyOf(fields);
    this.expressions = List.copyOf(expressions);
    if (fields.size() != expressions.size()) {
      throw new IllegalArgumentException("One field per expression");
    }
    this.output = VectorSchemaRoot.create(new Schema(fields), context.allocator());
  }

  @Override
  public Schema schema() {
    return output.getSchema();
  }

  @Override
  public boolean next() {
    if (!input.next()) {
      return false;
    }
    project(input.root(), fields, expressions, output);
    return true;
  }

  /**
   * Fills {@code output} (of {@code fields}) from {@code batch}; plain columns move out of {@code
   * batch}, which is left with empty vectors for them.
   */
  public static void project(
      VectorSchemaRoot batch,
      List<Field> fields,
      List<Expression> expressions,
      VectorSchemaRoot output) {
    int rows = batch.getRowCount();
    Set<Integer> moved = new HashSet<>();
    Evaluator evaluator = new Evaluator(batch);
    for (int p = 0; p < expressions.size(); p++) {
      Expression expression = expressions.get(p);
      if (expression instanceof Expression.ColumnRef ref && moved.add(ref.index())) {
        continue; // moved below, once every computed column has read it
      }
      FieldVector target = output.getVector(p);
      try {
        if (expression instanceof Expression.ColumnRef ref) {
          FieldVector source = batch.getVector(ref.index());
          target.setInitialCapacity(rows);
          target.allocateNew();
          for (int i = 0; i < rows; i++) {
            target.copyFromSafe(i, i, source);
          }
          target.setValueCount(rows);
        } else {
          evaluator.evaluateInto(expression, target);
        }
      } catch (IllegalArgumentException | ArithmeticException e) {
        throw new QuiverException(
            ErrorCode.INVALID_ARGUMENT,
            "Cannot compute column '" + fields.get(p).getName() + "': " + e.getMessage());
      }
    }
    for (int p = 0; p < expressions.size(); p++) {
      if (expressions.get(p) instanceof Expression.ColumnRef ref && moved.remove(ref.index())) {
        batch.getVector(ref.index()).makeTransferPair(output.getVector(p)).transfer();
      }
    }
    output.setRowCount(rows);
  }

  @Override
  public VectorSchemaRoot root() {
    return output;
  }

  @Override
  protected void closeOwn() {
    output.close();
  }
}
