package dev.quiver.server.expression;

import java.math.BigDecimal;
import java.math.MathContext;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * {@code + - * / %} and negation. Integer results are exact (overflow is an error, never a wrap).
 * As in DuckDB: {@code /} of integers is DOUBLE, and DOUBLE arithmetic is IEEE's ({@code 1 / 0} is
 * Infinity, {@code 0 / 0} and {@code x % 0} NaN); an integer remainder by zero is NULL. A DECIMAL
 * division or remainder by zero, which DuckDB answers as a DOUBLE, is NULL.
 */
final class Arithmetic {
  private Arithmetic() {}

  static Column binary(Function function, Column left, Column right, ArrowType result) {
    Column out = Column.allocate(result, left.size);
    out.nullsFrom(left);
    out.nullsFrom(right);
    Column.Representation representation = Column.Representation.of(result);
    if (representation == Column.Representation.LONG) {
      Column a = Casts.cast(left, Expression.BIGINT);
      Column b = Casts.cast(right, Expression.BIGINT);
      for (int i = 0; i < out.size; i++) {
        if (out.isNull(i)) {
          continue;
        }
        long x = a.longs[i];
        long y = b.longs[i];
        switch (function) {
          case PLUS -> out.longs[i] = Math.addExact(x, y);
          case MINUS -> out.longs[i] = Math.subtractExact(x, y);
          case TIMES -> out.longs[i] = Math.multiplyExact(x, y);
          case MOD -> {
            if (y == 0) {
              out.setNull(i);
            } else {
              out.longs[i] = x % y;
            }
          }
          default -> throw new IllegalArgumentException(function + " on integers");
        }
      }
    } else if (representation == Column.Representation.DOUBLE) {
      Column a = Casts.cast(left, Expression.DOUBLE);
      Column b = Casts.cast(right, Expression.DOUBLE);
      for (int i = 0; i < out.size; i++) {
        if (out.isNull(i)) {
          continue;
        }
        double x = a.doubles[i];
        double y = b.doubles[i];
        switch (function) {
          case PLUS -> out.doubles[i] = x + y;
          case MINUS -> out.doubles[i] = x - y;
          case TIMES -> out.doubles[i] = x * y;
          case DIVIDE -> out.doubles[i] = x / y;
          case MOD -> out.doubles[i] = x % y;
          default -> throw new IllegalArgumentException(function + " on doubles");
        }
      }
    } else {
      ArrowType.Decimal decimal = (ArrowType.Decimal) result;
      for (int i = 0; i < out.size; i++) {
        if (out.isNull(i)) {
          continue;
        }
        BigDecimal x = Casts.toBigDecimal(left.get(i), left.type);
        BigDecimal y = Casts.toBigDecimal(right.get(i), right.type);
        BigDecimal value;
        switch (function) {
          case PLUS -> value = x.add(y);
          case MINUS -> value = x.subtract(y);
          case TIMES -> value = x.multiply(y);
          case DIVIDE -> value = y.signum() == 0 ? null : x.divide(y, MathContext.DECIMAL128);
          case MOD -> value = y.signum() == 0 ? null : x.remainder(y);
          default -> throw new IllegalArgumentException(function + " on decimals");
        }
        if (value == null) {
          out.setNull(i);
        } else {
          out.objects[i] = Casts.toDecimal(value, decimal.getPrecision(), decimal.getScale());
        }
      }
    }
    return out;
  }

  static Column negate(Column input, ArrowType result) {
    Column zero = Column.allocate(input.type, input.size);
    if (Column.Representation.of(input.type) == Column.Representation.OBJECT) {
      java.util.Arrays.fill(zero.objects, BigDecimal.ZERO);
    }
    return binary(Function.MINUS, zero, input, result);
  }

  static Column abs(Column input, ArrowType result) {
    Column out = Casts.cast(input, result);
    for (int i = 0; i < out.size; i++) {
      if (out.isNull(i)) {
        continue;
      }
      if (out.longs != null) {
        out.longs[i] = Math.absExact(out.longs[i]);
      } else if (out.doubles != null) {
        out.doubles[i] = Math.abs(out.doubles[i]);
      } else {
        out.objects[i] = ((BigDecimal) out.objects[i]).abs();
      }
    }
    return out;
  }
}
