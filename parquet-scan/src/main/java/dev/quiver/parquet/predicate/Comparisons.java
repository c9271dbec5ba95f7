package dev.quiver.parquet.predicate;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Builds leaf predicates from a column and a literal of any SQL type, coercing the literal to the
 * column's canonical value without changing the result.
 *
 * <p>Literals that the column cannot hold exactly are rewritten, never rounded blindly: on an
 * integer column {@code a > 2.5} becomes {@code a >= 3}, {@code a = 2.5} can never be TRUE, and a
 * literal beyond the column's range turns into a comparison that is TRUE (or never TRUE) for every
 * non-null value, so NULL rows keep SQL's NULL result.
 *
 * <p>Accepted literals: {@link Number}, {@link String}, {@link Boolean}, {@link LocalDate}, {@link
 * LocalDateTime}, {@link LocalTime} and {@link Instant}; a string is parsed as the column's type
 * (so {@code day >= '2024-07-01'} works on a DATE column).
 */
public final class Comparisons {
  /**
   * Digits kept when converting to the column's units. Literals are exact to the nanosecond, so a
   * fractional part is never smaller than 1e-14 of a unit and truncation keeps it nonzero.
   */
  private static final int DIVISION_SCALE = 20;

  private Comparisons() {}

  /**
   * {@code column <op> literal}.
   *
   * @param literal null yields {@link Constant#NULL}
   * @throws PredicateTypeException if the literal cannot be compared with the column
   */
  public static Predicate compare(Field field, ComparisonOperator op, Object literal) {
    if (literal == null) {
      return Constant.NULL;
    }
    ValueKind kind = ValueKind.of(field);
    return switch (kind) {
      case LONG, UNSIGNED_LONG, DECIMAL -> integral(field, op, exactUnits(field, literal));
      case DOUBLE -> new Comparison(field.getName(), op, toDouble(field, literal));
      case STRING -> new Comparison(field.getName(), op, toText(field, literal));
      case BOOLEAN -> new Comparison(field.getName(), op, toBoolean(field, literal));
      case BINARY -> throw mismatch(field, literal);
    };
  }

  /**
   * {@code column IN (literals)}; NULL literals make a non-matching row NULL rather than FALSE.
   *
   * @throws PredicateTypeException if a literal cannot be compared with the column
   */
  public static Predicate in(Field field, List<?> literals) {
    // A set keeps the first occurrence of each value in order: linear in the list's length.
    java.util.Set<Object> distinct = new java.util.LinkedHashSet<>();
    boolean hasNull = false;
    for (Object literal : literals) {
      if (literal == null) {
        hasNull = true;
        continue;
      }
      Predicate equal = compare(field, ComparisonOperator.EQ, literal);
      if (equal instanceof Comparison c && c.operator() == ComparisonOperator.EQ) {
        distinct.add(c.value());
      }
    }
    List<Object> values = new ArrayList<>(distinct);
    if (values.isEmpty() && hasNull) {
      return Constant.NULL;
    }
    Predicate in =
        values.isEmpty()
            ? neverForNonNull(field)
            : values.size() == 1
                ? new Comparison(field.getName(), ComparisonOperator.EQ, values.get(0))
                : new InList(field.getName(), values);
    return hasNull ? new Or(List.of(in, Constant.NULL)) : in;
  }

  /**
   * {@code column LIKE pattern}.
   *
   * @throws PredicateTypeException if the column is not a string column
   */
  public static Predicate like(Field field, String pattern, Character escape) {
    if (ValueKind.of(field) != ValueKind.STRING) {
      throw new PredicateTypeException(
          "LIKE needs a string column, but " + field.getName() + " is " + typeName(field));
    }
    return new Like(field.getName(), pattern, escape);
  }

  /** {@code column IS NULL}. */
  public static Predicate isNull(Field field) {
    return new IsNull(field.getName());
  }

  /** A comparison that is FALSE for every non-null value and NULL for null. */
  static Predicate neverForNonNull(Field field) {
    ValueKind kind = ValueKind.of(field);
    return switch (kind) {
      case LONG, UNSIGNED_LONG, DECIMAL ->
          new Comparison(field.getName(), ComparisonOperator.GT, canonical(field, maximum(field)));
      case DOUBLE ->
          new Comparison(field.getName(), ComparisonOperator.GT, Double.POSITIVE_INFINITY);
      case STRING, BOOLEAN, BINARY ->
          new And(List.of(new Not(new IsNull(field.getName())), new IsNull(field.getName())));
    };
  }

  private static Predicate integral(Field field, ComparisonOperator op, BigDecimal x) {
    BigInteger lo = minimum(field);
    BigInteger hi = maximum(field);
    boolean integer = x.stripTrailingZeros().scale() <= 0;
    BigInteger floor = x.setScale(0, RoundingMode.FLOOR).toBigIntegerExact();
    BigInteger ceil = x.setScale(0, RoundingMode.CEILING).toBigIntegerExact();
    String column = field.getName();
    Predicate never = new Comparison(column, ComparisonOperator.GT, canonical(field, hi));
    Predicate always = new Comparison(column, ComparisonOperator.GE, canonical(field, lo));
    switch (op) {
      case EQ:
        return integer && inRange(floor, lo, hi)
            ? new Comparison(column, op, canonical(field, floor))
            : never;
      case NE:
        return integer && inRange(floor, lo, hi)
            ? new Comparison(column, op, canonical(field, floor))
            : always;
      case GT:
        return floor.compareTo(hi) >= 0
            ? never
            : floor.compareTo(lo) < 0
                ? always
                : new Comparison(column, op, canonical(field, floor));
      case GE:
        return ceil.compareTo(hi) > 0
            ? never
            : ceil.compareTo(lo) <= 0 ? always : new Comparison(column, op, canonical(field, ceil));
      case LT:
        return ceil.compareTo(lo) <= 0
            ? never
            : ceil.compareTo(hi) > 0 ? always : new Comparison(column, op, canonical(field, ceil));
      case LE:
        return floor.compareTo(lo) < 0
            ? never
            : floor.compareTo(hi) >= 0
                ? always
                : new Comparison(column, op, canonical(field, floor));
      default:
        throw new IllegalStateException("Unknown operator " + op);
    }
  }

  private static boolean inRange(BigInteger value, BigInteger lo, BigInteger hi) {
    return value.compareTo(lo) >= 0 && value.compareTo(hi) <= 0;
  }

  private static BigInteger minimum(Field field) {
    return ColumnValues.minimum(field);
  }

  private static BigInteger maximum(Field field) {
    return ColumnValues.maximum(field);
  }

  /** The canonical value of an integer in the column's units. */
  private static Object canonical(Field field, BigInteger units) {
    if (field.getType() instanceof ArrowType.Decimal decimal) {
      return new BigDecimal(units, decimal.getScale());
    }
    return units.longValue();
  }

  /** The literal as an exact number in the column's integer units (unscaled for decimals). */
  private static BigDecimal exactUnits(Field field, Object literal) {
    ArrowType type = field.getType();
    if (type instanceof ArrowType.Int) {
      return toNumber(field, literal);
    }
    if (type instanceof ArrowType.Decimal decimal) {
      return toNumber(field, literal).movePointRight(decimal.getScale());
    }
    if (type instanceof ArrowType.Date date) {
      BigDecimal seconds = epochSeconds(field, literal, false);
      return date.getUnit() == DateUnit.DAY
          ? seconds.divide(BigDecimal.valueOf(86_400), DIVISION_SCALE, RoundingMode.DOWN)
          : seconds.movePointRight(3);
    }
    if (type instanceof ArrowType.Time time) {
      LocalTime value = toTime(field, literal);
      return BigDecimal.valueOf(value.toNanoOfDay())
          .divide(
              BigDecimal.valueOf(nanosPerUnit(time.getUnit())), DIVISION_SCALE, RoundingMode.DOWN);
    }
    if (type instanceof ArrowType.Timestamp timestamp) {
      return epochSeconds(field, literal, true)
          .multiply(BigDecimal.valueOf(TimeUnit.SECONDS.toNanos(1)))
          .divide(
              BigDecimal.valueOf(nanosPerUnit(timestamp.getUnit())),
              DIVISION_SCALE,
              RoundingMode.DOWN);
    }
    throw mismatch(field, literal);
  }

  private static long nanosPerUnit(org.apache.arrow.vector.types.TimeUnit unit) {
    return switch (unit) {
      case SECOND -> 1_000_000_000L;
      case MILLISECOND -> 1_000_000L;
      case MICROSECOND -> 1_000L;
      case NANOSECOND -> 1L;
    };
  }

  private static BigDecimal toNumber(Field field, Object literal) {
    if (literal instanceof BigDecimal decimal) {
      return decimal;
    }
    if (literal instanceof BigInteger integer) {
      return new BigDecimal(integer);
    }
    if (literal instanceof Double || literal instanceof Float) {
      double value = ((Number) literal).doubleValue();
      if (Double.isNaN(value) || Double.isInfinite(value)) {
        throw mismatch(field, literal);
      }
      return new BigDecimal(value);
    }
    if (literal instanceof Number number) {
      return BigDecimal.valueOf(number.longValue());
    }
    if (literal instanceof String text) {
      try {
        return new BigDecimal(text.trim());
      } catch (NumberFormatException e) {
        throw mismatch(field, literal);
      }
    }
    throw mismatch(field, literal);
  }

  private static Double toDouble(Field field, Object literal) {
    double value;
    if (literal instanceof Number number) {
      value = number.doubleValue();
    } else if (literal instanceof String text) {
      try {
        value = Double.parseDouble(text.trim());
      } catch (NumberFormatException e) {
        throw mismatch(field, literal);
      }
    } else {
      throw mismatch(field, literal);
    }
    boolean single =
        ((ArrowType.FloatingPoint) field.getType()).getPrecision() == FloatingPointPrecision.SINGLE;
    return single ? (double) (float) value : value;
  }

  private static String toText(Field field, Object literal) {
    if (literal instanceof String text) {
      return text;
    }
    throw mismatch(field, literal);
  }

  private static Boolean toBoolean(Field field, Object literal) {
    if (literal instanceof Boolean value) {
      return value;
    }
    if (literal instanceof String text) {
      String lower = text.trim().toLowerCase(Locale.ROOT);
      if (lower.equals("true") || lower.equals("false")) {
        return Boolean.valueOf(lower);
      }
    }
    throw mismatch(field, literal);
  }

  private static LocalTime toTime(Field field, Object literal) {
    if (literal instanceof LocalTime time) {
      return time;
    }
    if (literal instanceof String text) {
      try {
        return LocalTime.parse(text.trim());
      } catch (DateTimeParseException e) {
        throw mismatch(field, literal);
      }
    }
    throw mismatch(field, literal);
  }

  /** Seconds since the epoch (UTC), exact to the nanosecond. */
  private static BigDecimal epochSeconds(Field field, Object literal, boolean allowTime) {
    LocalDateTime dateTime;
    if (literal instanceof LocalDate date) {
      dateTime = date.atStartOfDay();
    } else if (literal instanceof LocalDateTime value) {
      dateTime = value;
    } else if (literal instanceof Instant instant) {
      dateTime = LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    } else if (literal instanceof String text) {
      dateTime = parseDateTime(field, text.trim());
    } else {
      throw mismatch(field, literal);
    }
    BigDecimal seconds = BigDecimal.valueOf(dateTime.toEpochSecond(ZoneOffset.UTC));
    BigDecimal nanos = BigDecimal.valueOf(dateTime.getNano(), 9);
    return seconds.add(nanos);
  }

  private static LocalDateTime parseDateTime(Field field, String text) {
    try {
      if (text.length() <= 10) {
        return LocalDate.parse(text).atStartOfDay();
      }
      return LocalDateTime.parse(text.replace(' ', 'T'));
    } catch (DateTimeParseException e) {
      throw mismatch(field, text);
    }
  }

  private static PredicateTypeException mismatch(Field field, Object literal) {
    return new PredicateTypeException(
        "Cannot compare column "
            + field.getName()
            + " ("
            + typeName(field)
            + ") with "
            + ColumnValues.format(literal)
            + " ("
            + literalType(literal)
            + ")");
  }

  private static String literalType(Object literal) {
    if (literal instanceof String) {
      return "string";
    }
    if (literal instanceof Number) {
      return "number";
    }
    if (literal instanceof Boolean) {
      return "boolean";
    }
    if (literal instanceof LocalDate) {
      return "date";
    }
    if (literal instanceof LocalDateTime || literal instanceof Instant) {
      return "timestamp";
    }
    if (literal instanceof LocalTime) {
      return "time";
    }
    return literal.getClass().getSimpleName();
  }

  /** A short SQL-like name of a column's type for messages. */
  public static String typeName(Field field) {
    return typeName(field.getType());
  }

  /** A short SQL-like name of a type for messages. */
  public static String typeName(ArrowType type) {
    if (type instanceof ArrowType.Int integer) {
      String name =
          switch (integer.getBitWidth()) {
            case 8 -> "TINYINT";
            case 16 -> "SMALLINT";
            case 32 -> "INTEGER";
            default -> "BIGINT";
          };
      return integer.getIsSigned() ? name : "U" + name;
    }
    if (type instanceof ArrowType.FloatingPoint fp) {
      return switch (fp.getPrecision()) {
        case HALF -> "FLOAT16";
        case SINGLE -> "FLOAT";
        case DOUBLE -> "DOUBLE";
      };
    }
    if (type instanceof ArrowType.Decimal decimal) {
      return "DECIMAL(" + decimal.getPrecision() + "," + decimal.getScale() + ")";
    }
    if (type instanceof ArrowType.Utf8 || type instanceof ArrowType.LargeUtf8) {
      return "VARCHAR";
    }
    if (type instanceof ArrowType.Bool) {
      return "BOOLEAN";
    }
    if (type instanceof ArrowType.Date) {
      return "DATE";
    }
    if (type instanceof ArrowType.Time) {
      return "TIME";
    }
    if (type instanceof ArrowType.Timestamp timestamp) {
      return timestamp.getTimezone() == null ? "TIMESTAMP" : "TIMESTAMP WITH TIME ZONE";
    }
    if (type instanceof ArrowType.Binary
        || type instanceof ArrowType.LargeBinary
        || type instanceof ArrowType.FixedSizeBinary) {
      return "BLOB";
    }
    return type.toString();
  }
}
