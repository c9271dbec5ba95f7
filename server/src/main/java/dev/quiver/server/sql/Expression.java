package dev.quiver.server.sql;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.math.RoundingMode;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.util.Text;

/**
 * A select-list expression evaluated row by row over a scan batch: a column, a literal, a CAST or
 * arithmetic. Computed values are BIGINT, INTEGER, DOUBLE, REAL, VARCHAR or BOOLEAN.
 */
public sealed interface Expression {
  ArrowType BIGINT = new ArrowType.Int(64, true);
  ArrowType INTEGER = new ArrowType.Int(32, true);
  ArrowType DOUBLE = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
  ArrowType REAL = new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
  ArrowType VARCHAR = ArrowType.Utf8.INSTANCE;
  ArrowType BOOLEAN = ArrowType.Bool.INSTANCE;

  ArrowType type();

  /** The value at {@code row}: a Long, Integer, Double, Float, String, Boolean, or null. */
  Object value(VectorSchemaRoot batch, int row);

  /** A dataset column, passed through with its own type. */
  record ColumnRef(Field field) implements Expression {
    public ColumnRef {
      requireNonNull(field, "field is null");
    }

    @Override
    public ArrowType type() {
      return field.getType();
    }

    @Override
    public Object value(VectorSchemaRoot batch, int row) {
      FieldVector vector = batch.getVector(field.getName());
      if (vector.isNull(row)) {
        return null;
      }
      Object value = vector.getObject(row);
      return value instanceof Text text ? text.toString() : value;
    }
  }

  /** A constant. */
  record Literal(Object value, ArrowType type) implements Expression {
    @Override
    public Object value(VectorSchemaRoot batch, int row) {
      return value;
    }
  }

  /** {@code CAST(input AS type)}. */
  record Cast(Expression input, ArrowType type) implements Expression {
    @Override
    public Object value(VectorSchemaRoot batch, int row) {
      Object value = input.value(batch, row);
      if (value == null) {
        return null;
      }
      if (type.equals(VARCHAR)) {
        return value instanceof BigDecimal d ? d.toPlainString() : value.toString();
      }
      if (type.equals(BOOLEAN)) {
        return value instanceof Boolean b ? b : Boolean.parseBoolean(value.toString().trim());
      }
      BigDecimal number = Arithmetic.number(value);
      if (type.equals(DOUBLE)) {
        return number.doubleValue();
      }
      if (type.equals(REAL)) {
        return number.floatValue();
      }
      BigDecimal rounded = number.setScale(0, RoundingMode.HALF_UP);
      return type.equals(INTEGER) ? rounded.intValueExact() : rounded.longValueExact();
    }
  }

  /**
   * {@code left op right} on numbers; integers stay BIGINT except for {@code /}, which is DOUBLE.
   */
  record Arithmetic(char operator, Expression left, Expression right, ArrowType type)
      implements Expression {
    @Override
    public Object value(VectorSchemaRoot batch, int row) {
      Object a = left.value(batch, row);
      Object b = right.value(batch, row);
      if (a == null || b == null) {
        return null;
      }
      if (type.equals(BIGINT)) {
        long x = ((Number) a).longValue();
        long y = ((Number) b).longValue();
        return switch (operator) {
          case '+' -> Math.addExact(x, y);
          case '-' -> Math.subtractExact(x, y);
          case '*' -> Math.multiplyExact(x, y);
          case '%' -> y == 0 ? null : x % y;
          default -> throw new IllegalStateException("operator " + operator);
        };
      }
      double x = number(a).doubleValue();
      double y = number(b).doubleValue();
      return switch (operator) {
        case '+' -> x + y;
        case '-' -> x - y;
        case '*' -> x * y;
        case '/' -> y == 0 ? null : x / y;
        case '%' -> y == 0 ? null : x % y;
        default -> throw new IllegalStateException("operator " + operator);
      };
    }

    static BigDecimal number(Object value) {
      if (value instanceof BigDecimal d) {
        return d;
      }
      if (value instanceof Double || value instanceof Float) {
        return BigDecimal.valueOf(((Number) value).doubleValue());
      }
      if (value instanceof Number n) {
        return BigDecimal.valueOf(n.longValue());
      }
      if (value instanceof Boolean b) {
        return b ? BigDecimal.ONE : BigDecimal.ZERO;
      }
      try {
        return new BigDecimal(value.toString().trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Cannot convert '" + value + "' to a number", e);
      }
    }
  }
}
