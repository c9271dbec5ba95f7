package dev.quiver.server.expression;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * Evaluates expressions over one batch, a whole column per step: each function's kernel loops over
 * the batch's rows in Java arrays, and a column the batch provides is read once however often the
 * expressions use it.
 *
 * <p>Create one per batch; it only reads the batch.
 */
public final class Evaluator {
  private final VectorSchemaRoot batch;
  private final int rows;
  private final int[] selection;
  private final Map<Integer, Column> columns = new HashMap<>();

  public Evaluator(VectorSchemaRoot batch) {
    this(batch, null, batch.getRowCount());
  }

  /** Evaluates over rows {@code selection[0..rows)} of the batch only; all rows when null. */
  private Evaluator(VectorSchemaRoot batch, int[] selection, int rows) {
    this.batch = batch;
    this.selection = selection;
    this.rows = rows;
  }

  /**
   * The values of {@code expression} for every row of the batch.
   *
   * @throws IllegalArgumentException for a value that cannot be converted (a bad CAST)
   * @throws ArithmeticException for an integer overflow or a value out of its type's range
   */
  public Column evaluate(Expression expression) {
    if (expression instanceof Expression.ColumnRef ref) {
      return columns.computeIfAbsent(
          ref.index(), index -> Vectors.read(batch.getVector(index), selection, rows));
    }
    if (expression instanceof Expression.Literal literal) {
      return constant(literal.value(), literal.type(), rows);
    }
    if (expression instanceof Expression.InList in) {
      return Logic.in(evaluate(in.value()), in.values(), in.hasNull());
    }
    Expression.Call call = (Expression.Call) expression;
    List<Expression> operands = call.operands();
    ArrowType type = call.type();
    return switch (call.function()) {
      case PLUS, MINUS, TIMES, DIVIDE, MOD ->
          Arithmetic.binary(
              call.function(), evaluate(operands.get(0)), evaluate(operands.get(1)), type);
      case NEGATE -> Arithmetic.negate(evaluate(operands.get(0)), type);
      case ABS -> Arithmetic.abs(evaluate(operands.get(0)), type);
      case EQUALS,
          NOT_EQUALS,
          LESS_THAN,
          LESS_THAN_OR_EQUAL,
          GREATER_THAN,
          GREATER_THAN_OR_EQUAL,
          IS_DISTINCT_FROM,
          IS_NOT_DISTINCT_FROM ->
          Comparison.compare(call.function(), evaluate(operands.get(0)), evaluate(operands.get(1)));
      case AND, OR -> Logic.junction(call.function(), evaluateAll(operands, null));
      case NOT -> Logic.not(evaluate(operands.get(0)));
      case IS_NULL, IS_NOT_NULL, IS_TRUE, IS_NOT_TRUE, IS_FALSE, IS_NOT_FALSE ->
          Logic.test(call.function(), evaluate(operands.get(0)));
      case CASE -> caseWhen(operands, type);
      case COALESCE -> coalesce(operands, type);
      case CAST -> Casts.cast(evaluate(operands.get(0)), type);
      case LIKE ->
          Strings.like(
              evaluate(operands.get(0)),
              (String) constantValue(operands.get(1)),
              operands.size() > 2 ? ((String) constantValue(operands.get(2))).charAt(0) : null);
      case EXTRACT ->
          Temporal.extract((String) constantValue(operands.get(0)), evaluate(operands.get(1)));
      case DATE_TRUNC ->
          Temporal.truncate((String) constantValue(operands.get(0)), evaluate(operands.get(1)));
      case LOWER -> Strings.lower(evaluate(operands.get(0)));
      case UPPER -> Strings.upper(evaluate(operands.get(0)));
      case TRIM -> Strings.trim(evaluate(operands.get(0)));
      case CHAR_LENGTH -> Strings.charLength(evaluate(operands.get(0)));
      case OCTET_LENGTH -> Strings.octetLength(evaluate(operands.get(0)));
      case REGEXP_REPLACE ->
          Strings.regexpReplace(
              evaluate(operands.get(0)),
              (String) constantValue(operands.get(1)),
              (String) constantValue(operands.get(2)),
              operands.size() > 3 ? (String) constantValue(operands.get(3)) : "");
      case SUBSTRING ->
          Strings.substring(
              evaluate(operands.get(0)),
              evaluate(operands.get(1)),
              operands.size() > 2 ? evaluate(operands.get(2)) : null);
      case CONCAT -> Strings.concat(evaluateAll(operands, null));
    };
  }

  /**
   * CASE with every branch computed over the whole batch, or, when a branch fails to compute (a
   * cast of a value the branch is not taken for, say), with each branch computed only over the rows
   * that take it, as SQL requires.
   */
  private Column caseWhen(List<Expression> operands, ArrowType type) {
    try {
      return Conditionals.caseWhen(caseOperands(operands, type), type);
    } catch (IllegalArgumentException | ArithmeticException e) {
      Column out = Column.allocate(type, rows);
      boolean[] decided = new boolean[rows];
      int branches = (operands.size() - 1) / 2;
      for (int b = 0; b <= branches; b++) {
        boolean otherwise = b == branches;
        Column condition = otherwise ? null : evaluate(operands.get(2 * b));
        int[] taken = new int[rows];
        int count = 0;
        for (int i = 0; i < rows; i++) {
          if (!decided[i] && (otherwise || condition.isTrue(i))) {
            decided[i] = true;
            taken[count++] = i;
          }
        }
        Expression value = operands.get(otherwise ? operands.size() - 1 : 2 * b + 1);
        scatter(evaluateOn(value, taken, count, type), taken, count, out);
      }
      return out;
    }
  }

  /**
   * COALESCE, computing each argument only over the rows still NULL when eager evaluation fails.
   */
  private Column coalesce(List<Expression> operands, ArrowType type) {
    try {
      return Conditionals.coalesce(evaluateAll(operands, type), type);
    } catch (IllegalArgumentException | ArithmeticException e) {
      Column out = Column.allocate(type, rows);
      int[] pending = new int[rows];
      int count = rows;
      for (int i = 0; i < rows; i++) {
        pending[i] = i;
        out.setNull(i);
      }
      for (Expression operand : operands) {
        if (count == 0) {
          break;
        }
        Column values = evaluateOn(operand, pending, count, type);
        scatter(values, pending, count, out);
        int left = 0;
        for (int j = 0; j < count; j++) {
          if (values.isNull(j)) {
            pending[left++] = pending[j];
          }
        }
        count = left;
      }
      return out;
    }
  }

  /**
   * {@code expression} over rows {@code taken[0..count)} of this evaluator, cast to {@code type}.
   */
  private Column evaluateOn(Expression expression, int[] taken, int count, ArrowType type) {
    int[] rowsOfBatch = new int[count];
    for (int j = 0; j < count; j++) {
      rowsOfBatch[j] = selection == null ? taken[j] : selection[taken[j]];
    }
    Column values = new Evaluator(batch, rowsOfBatch, count).evaluate(expression);
    return values.type.equals(type) ? values : Casts.cast(values, type);
  }

  /** Copies {@code values[j]} to {@code out[taken[j]]}. */
  private static void scatter(Column values, int[] taken, int count, Column out) {
    for (int j = 0; j < count; j++) {
      int i = taken[j];
      if (values.isNull(j)) {
        out.setNull(i);
      } else if (out.longs != null) {
        out.longs[i] = values.longs[j];
      } else if (out.doubles != null) {
        out.doubles[i] = values.doubles[j];
      } else {
        out.objects[i] = values.objects[j];
      }
      if (!values.isNull(j) && out.nulls != null) {
        out.nulls[i] = false;
      }
    }
  }

  /** Evaluates {@code expression} into {@code vector}, which has its type; allocated here. */
  public void evaluateInto(Expression expression, FieldVector vector) {
    Vectors.write(evaluate(expression), vector);
  }

  /**
   * The rows where {@code condition} is TRUE (not FALSE or NULL), in order.
   *
   * @return how many rows were selected into the start of {@code selection}
   */
  public int select(Expression condition, int[] selection) {
    Column result = evaluate(condition);
    int kept = 0;
    for (int i = 0; i < rows; i++) {
      if (result.isTrue(i)) {
        selection[kept++] = i;
      }
    }
    return kept;
  }

  private List<Column> evaluateAll(List<Expression> operands, ArrowType castTo) {
    List<Column> values = new ArrayList<>(operands.size());
    for (Expression operand : operands) {
      Column value = evaluate(operand);
      values.add(castTo == null || value.type.equals(castTo) ? value : Casts.cast(value, castTo));
    }
    return values;
  }

  private List<Column> caseOperands(List<Expression> operands, ArrowType type) {
    List<Column> values = new ArrayList<>(operands.size());
    for (int i = 0; i < operands.size(); i++) {
      boolean isValue = i % 2 == 1 || i == operands.size() - 1;
      Column value = evaluate(operands.get(i));
      values.add(isValue && !value.type.equals(type) ? Casts.cast(value, type) : value);
    }
    return values;
  }

  private static Object constantValue(Expression expression) {
    if (expression instanceof Expression.Literal literal) {
      return literal.value();
    }
    throw new IllegalArgumentException("Expected a constant, got " + expression);
  }

  /** A column of {@code rows} copies of {@code value} (held as {@link Column} holds them). */
  static Column constant(Object value, ArrowType type, int rows) {
    Column column = Column.allocate(type, rows);
    for (int i = 0; i < rows; i++) {
      if (value == null) {
        column.setNull(i);
      } else if (column.longs != null) {
        column.longs[i] = value instanceof Boolean b ? (b ? 1 : 0) : ((Number) value).longValue();
      } else if (column.doubles != null) {
        column.doubles[i] = ((Number) value).doubleValue();
      } else {
        column.objects[i] = value;
      }
    }
    return column;
  }
}
