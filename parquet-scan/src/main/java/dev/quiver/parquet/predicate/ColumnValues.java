package dev.quiver.parquet.predicate;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/** Canonical predicate values: their range per column type, order and display. */
public final class ColumnValues {
  private ColumnValues() {}

  /** The smallest value of an integer-like column, as an exact integer. */
  static BigInteger minimum(Field field) {
    ArrowType type = field.getType();
    if (type instanceof ArrowType.Int integer) {
      return integer.getIsSigned()
          ? BigInteger.ONE.shiftLeft(integer.getBitWidth() - 1).negate()
          : BigInteger.ZERO;
    }
    if (type instanceof ArrowType.Decimal decimal) {
      return BigInteger.TEN.pow(decimal.getPrecision()).subtract(BigInteger.ONE).negate();
    }
    return bitWidth(type) == 32
        ? BigInteger.valueOf(Integer.MIN_VALUE)
        : BigInteger.valueOf(Long.MIN_VALUE);
  }

  /** The largest value of an integer-like column, as an exact integer. */
  static BigInteger maximum(Field field) {
    ArrowType type = field.getType();
    if (type instanceof ArrowType.Int integer) {
      return integer.getIsSigned()
          ? BigInteger.ONE.shiftLeft(integer.getBitWidth() - 1).subtract(BigInteger.ONE)
          : BigInteger.ONE.shiftLeft(integer.getBitWidth()).subtract(BigInteger.ONE);
    }
    if (type instanceof ArrowType.Decimal decimal) {
      return BigInteger.TEN.pow(decimal.getPrecision()).subtract(BigInteger.ONE);
    }
    return bitWidth(type) == 32
        ? BigInteger.valueOf(Integer.MAX_VALUE)
        : BigInteger.valueOf(Long.MAX_VALUE);
  }

  private static int bitWidth(ArrowType type) {
    if (type instanceof ArrowType.Date date) {
      return date.getUnit() == org.apache.arrow.vector.types.DateUnit.DAY ? 32 : 64;
    }
    if (type instanceof ArrowType.Time time) {
      return time.getBitWidth();
    }
    return 64;
  }

  /**
   * Orders two canonical values of the same kind: numbers numerically, strings by UTF-8 bytes,
   * booleans FALSE first.
   */
  public static int compare(Object left, Object right) {
    if (left instanceof Long a && right instanceof Long b) {
      return Long.compare(a, b);
    }
    if (left instanceof Double a && right instanceof Double b) {
      return a < b ? -1 : a > b ? 1 : 0;
    }
    if (left instanceof BigDecimal a && right instanceof BigDecimal b) {
      return a.compareTo(b);
    }
    if (left instanceof String a && right instanceof String b) {
      return Arrays.compareUnsigned(
          a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
    if (left instanceof Boolean a && right instanceof Boolean b) {
      return Boolean.compare(a, b);
    }
    throw new PredicateTypeException("Cannot compare " + format(left) + " with " + format(right));
  }

  /** The value as SQL would print it. */
  public static String format(Object value) {
    if (value instanceof String s) {
      return "'" + s.replace("'", "''") + "'";
    }
    return String.valueOf(value);
  }
}
