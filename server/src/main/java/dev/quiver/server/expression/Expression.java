package dev.quiver.server.expression;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Set;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * A scalar expression over the columns of a batch, already type-checked: every node knows its
 * result type. Values follow SQL: NULL in, NULL out (except for the null tests, AND, OR, CASE and
 * COALESCE), three-valued logic for conditions.
 */
public sealed interface Expression {
  ArrowType BIGINT = new ArrowType.Int(64, true);
  ArrowType INTEGER = new ArrowType.Int(32, true);
  ArrowType DOUBLE = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
  ArrowType BOOLEAN = ArrowType.Bool.INSTANCE;
  ArrowType VARCHAR = ArrowType.Utf8.INSTANCE;

  /** The type of the values it computes. */
  ArrowType type();

  /**
   * Column {@code index} of the input batch.
   *
   * @param field the column's field, for its name, type and (for nested columns) children
   */
  record ColumnRef(int index, Field field) implements Expression {
    public ColumnRef {
      requireNonNull(field, "field is null");
    }

    public String name() {
      return field.getName();
    }

    @Override
    public ArrowType type() {
      return field.getType();
    }
  }

  /**
   * A constant, held as {@link Column} holds values of its type (a Long for dates, a BigDecimal for
   * decimals...), or null.
   */
  record Literal(Object value, ArrowType type) implements Expression {
    public Literal {
      requireNonNull(type, "type is null");
    }
  }

  /** {@code function(operands...)} with the given result type. */
  record Call(Function function, List<Expression> operands, ArrowType type) implements Expression {
    public Call {
      requireNonNull(function, "function is null");
      operands = List.copyOf(operands);
      requireNonNull(type, "type is null");
    }
  }

  /**
   * {@code value IN (values...)} by hash lookup; {@code values} are held as the value's
   * representation holds them and contain no NULL ({@code hasNull} says whether the list had one).
   */
  record InList(Expression value, Set<Object> values, boolean hasNull) implements Expression {
    public InList {
      requireNonNull(value, "value is null");
      values = Set.copyOf(values);
    }

    @Override
    public ArrowType type() {
      return BOOLEAN;
    }
  }

  /** Whether {@code expression} reads nothing but literals. */
  static boolean isConstant(Expression expression) {
    if (expression instanceof Call call) {
      return call.operands().stream().allMatch(Expression::isConstant);
    }
    if (expression instanceof InList in) {
      return isConstant(in.value());
    }
    return expression instanceof Literal;
  }
}
