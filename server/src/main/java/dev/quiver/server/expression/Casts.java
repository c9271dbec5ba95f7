package dev.quiver.server.expression;

import dev.quiver.parquet.predicate.Comparisons;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * {@code CAST} between numbers, decimals, strings, booleans, dates, times and timestamps. Numbers
 * round half away from zero; a value that does not fit, or a string that does not parse, is an
 * error naming the value and the type.
 */
final class Casts {
  static final long MICROS_PER_DAY = 86_400_000_000L;

  private Casts() {}

  static Column cast(Column input, ArrowType target) {
    Column.Representation to = Column.Representation.of(target);
    Column out = Column.allocate(target, input.size);
    out.nullsFrom(input);
    for (int i = 0; i < input.size; i++) {
      if (input.isNull(i)) {
        continue;
      }
      Object value = castValue(input.get(i), input.type, target);
      if (value == null) {
        out.setNull(i);
      } else if (to == Column.Representation.LONG) {
        out.longs[i] = (Long) value;
      } else if (to == Column.Representation.DOUBLE) {
        out.doubles[i] = (Double) value;
      } else {
        out.objects[i] = value;
      }
    }
    return out;
  }

  /** One value, held as {@link Column} holds values of {@code from}, cast to {@code to}. */
  static Object castValue(Object value, ArrowType from, ArrowType to) {
    if (value == null) {
      return null;
    }
    try {
      if (to instanceof ArrowType.Int) {
        return toLong(value, from);
      }
      if (to instanceof ArrowType.FloatingPoint fp) {
        double d = toDouble(value, from);
        return fp.getPrecision() == org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE
            ? d
            : (double) (float) d;
      }
      if (to instanceof ArrowType.Decimal decimal) {
        return toDecimal(toBigDecimal(value, from), decimal.getPrecision(), decimal.getScale());
      }
      if (to instanceof ArrowType.Utf8) {
        return toText(value, from);
      }
      if (to instanceof ArrowType.Bool) {
        return toBoolean(value, from) ? 1L : 0L;
      }
      if (to instanceof ArrowType.Date) {
        if (from instanceof ArrowType.Timestamp) {
          return Math.floorDiv((Long) value, MICROS_PER_DAY);
        }
        if (from instanceof ArrowType.Date) {
          return value;
        }
        return LocalDate.parse(text(value, from)).toEpochDay();
      }
      if (to instanceof ArrowType.Timestamp) {
        if (from instanceof ArrowType.Date) {
          return (Long) value * MICROS_PER_DAY;
        }
        if (from instanceof ArrowType.Timestamp) {
          return value;
        }
        return parseTimestamp(text(value, from));
      }
      if (to instanceof ArrowType.Time) {
        if (from instanceof ArrowType.Timestamp) {
          return Math.floorMod((Long) value, MICROS_PER_DAY);
        }
        if (from instanceof ArrowType.Time) {
          return value;
        }
        return LocalTime.parse(text(value, from)).toNanoOfDay() / 1_000L;
      }
    } catch (NumberFormatException | DateTimeParseException e) {
      throw cannotCast(value, from, to);
    } catch (ArithmeticException e) {
      throw new ArithmeticException(
          "Cannot cast " + describe(value, from) + " to " + typeName(to) + ": out of range");
    }
    throw cannotCast(value, from, to);
  }

  private static IllegalArgumentException cannotCast(Object value, ArrowType from, ArrowType to) {
    return new IllegalArgumentException(
        "Cannot cast " + describe(value, from) + " to " + typeName(to));
  }

  private static String describe(Object value, ArrowType from) {
    return from instanceof ArrowType.Utf8 ? "'" + value + "'" : toText(value, from);
  }

  private static String text(Object value, ArrowType from) {
    if (!(from instanceof ArrowType.Utf8)) {
      throw new NumberFormatException();
    }
    return ((String) value).trim();
  }

  private static long toLong(Object value, ArrowType from) {
    if (Column.Representation.of(from) == Column.Representation.LONG) {
      if (from instanceof ArrowType.Int || from instanceof ArrowType.Bool) {
        return (Long) value;
      }
      throw new NumberFormatException();
    }
    if (value instanceof Double d) {
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new ArithmeticException();
      }
      return BigDecimal.valueOf(d).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }
    return toBigDecimal(value, from).setScale(0, RoundingMode.HALF_UP).longValueExact();
  }

  private static double toDouble(Object value, ArrowType from) {
    if (value instanceof Double d) {
      return d;
    }
    if (value instanceof Long l) {
      if (!(from instanceof ArrowType.Int || from instanceof ArrowType.Bool)) {
        throw new NumberFormatException();
      }
      return l;
    }
    if (value instanceof BigDecimal d) {
      return d.doubleValue();
    }
    return Double.parseDouble(text(value, from));
  }

  static BigDecimal toBigDecimal(Object value, ArrowType from) {
    if (value instanceof BigDecimal d) {
      return d;
    }
    if (value instanceof Long l) {
      if (!(from instanceof ArrowType.Int || from instanceof ArrowType.Bool)) {
        throw new NumberFormatException();
      }
      return BigDecimal.valueOf(l);
    }
    if (value instanceof Double d) {
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new ArithmeticException();
      }
      return BigDecimal.valueOf(d);
    }
    return new BigDecimal(text(value, from));
  }

  /** {@code value} rounded to {@code scale}; an error when it needs more than {@code precision}. */
  static BigDecimal toDecimal(BigDecimal value, int precision, int scale) {
    BigDecimal scaled = value.setScale(scale, RoundingMode.HALF_UP);
    if (scaled.precision() - scaled.scale() > precision - scale
        && scaled.unscaledValue().compareTo(BigInteger.ZERO) != 0) {
      throw new ArithmeticException(
          "Value "
              + value.toPlainString()
              + " is out of range for DECIMAL("
              + precision
              + ","
              + scale
              + ")");
    }
    return scaled;
  }

  private static boolean toBoolean(Object value, ArrowType from) {
    if (value instanceof Long l) {
      return l != 0;
    }
    if (value instanceof Double d) {
      return d != 0;
    }
    if (value instanceof BigDecimal d) {
      return d.signum() != 0;
    }
    String text = ((String) value).trim().toLowerCase(Locale.ROOT);
    return switch (text) {
      case "true", "t", "1", "yes", "y" -> true;
      case "false", "f", "0", "no", "n" -> false;
      default -> throw new NumberFormatException();
    };
  }

  /** A value as text, as DuckDB prints it. */
  static String toText(Object value, ArrowType from) {
    if (from instanceof ArrowType.Utf8) {
      return (String) value;
    }
    if (from instanceof ArrowType.Decimal) {
      return ((BigDecimal) value).toPlainString();
    }
    if (from instanceof ArrowType.FloatingPoint fp) {
      double d = (Double) value;
      return fp.getPrecision() == org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE
          ? Double.toString(d)
          : Float.toString((float) d);
    }
    long l = (Long) value;
    if (from instanceof ArrowType.Bool) {
      return l != 0 ? "true" : "false";
    }
    if (from instanceof ArrowType.Date) {
      return LocalDate.ofEpochDay(l).toString();
    }
    if (from instanceof ArrowType.Timestamp) {
      LocalDateTime time =
          LocalDateTime.ofEpochSecond(
              Math.floorDiv(l, 1_000_000L),
              (int) Math.floorMod(l, 1_000_000L) * 1_000,
              ZoneOffset.UTC);
      return time.toLocalDate() + " " + timeText(time.toLocalTime());
    }
    if (from instanceof ArrowType.Time) {
      return timeText(LocalTime.ofNanoOfDay(l * 1_000L));
    }
    return Long.toString(l);
  }

  private static String timeText(LocalTime time) {
    String text = time.truncatedTo(ChronoUnit.SECONDS).toString();
    if (time.getSecond() == 0 && time.getNano() == 0) {
      text = text + ":00";
    }
    if (time.getNano() != 0) {
      String fraction = String.format(Locale.ROOT, "%06d", time.getNano() / 1_000);
      text = text + "." + fraction.replaceAll("0+$", "");
    }
    return text;
  }

  private static long parseTimestamp(String text) {
    String normalized = text.replace('T', ' ');
    LocalDateTime time;
    if (normalized.length() <= 10) {
      time = LocalDate.parse(normalized).atStartOfDay();
    } else {
      time = LocalDateTime.parse(normalized.replace(' ', 'T'));
    }
    return time.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + time.getNano() / 1_000L;
  }

  /** The SQL name of a type, for messages. */
  static String typeName(ArrowType type) {
    return Comparisons.typeName(type);
  }
}
