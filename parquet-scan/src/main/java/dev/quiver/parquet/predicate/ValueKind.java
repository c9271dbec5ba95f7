package dev.quiver.parquet.predicate;

import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * How predicates see a column's values, and the Java type of the canonical values they compare
 * with.
 */
public enum ValueKind {
  /** Signed integers, dates, times and timestamps as a {@link Long} in the column's own unit. */
  LONG,
  /** Unsigned integers as a {@link Long} holding the unsigned bits. */
  UNSIGNED_LONG,
  /** FLOAT and DOUBLE as a {@link Double}. */
  DOUBLE,
  /** Decimals as a {@link java.math.BigDecimal} at the column's scale. */
  DECIMAL,
  /** Strings as a {@link String}, ordered by their UTF-8 bytes. */
  STRING,
  /** Booleans as a {@link Boolean}, FALSE before TRUE. */
  BOOLEAN,
  /** Binary values: only {@code IS [NOT] NULL} applies. */
  BINARY;

  /** The kind of a column; FLOAT16, nested and interval columns cannot be filtered on. */
  public static ValueKind of(Field field) {
    ArrowType type = field.getType();
    if (type instanceof ArrowType.Int integer) {
      return integer.getIsSigned() ? LONG : UNSIGNED_LONG;
    }
    if (type instanceof ArrowType.Date
        || type instanceof ArrowType.Time
        || type instanceof ArrowType.Timestamp) {
      return LONG;
    }
    if (type instanceof ArrowType.FloatingPoint fp
        && fp.getPrecision() != FloatingPointPrecision.HALF) {
      return DOUBLE;
    }
    if (type instanceof ArrowType.Decimal) {
      return DECIMAL;
    }
    if (type instanceof ArrowType.Utf8 || type instanceof ArrowType.LargeUtf8) {
      return STRING;
    }
    if (type instanceof ArrowType.Bool) {
      return BOOLEAN;
    }
    if (type instanceof ArrowType.Binary
        || type instanceof ArrowType.LargeBinary
        || type instanceof ArrowType.FixedSizeBinary) {
      return BINARY;
    }
    throw new PredicateTypeException(
        "Column " + field.getName() + " of type " + type + " cannot be filtered on");
  }
}
