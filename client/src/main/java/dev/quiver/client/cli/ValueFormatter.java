package dev.quiver.client.cli;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Locale;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.types.pojo.ArrowType;

/** Renders one value of a vector as text the way a person expects to read it. */
final class ValueFormatter {
  private static final HexFormat HEX = HexFormat.of();

  private ValueFormatter() {}

  /** The value at {@code index}, or {@code null} for a null. */
  static String format(FieldVector vector, int index) {
    if (vector.isNull(index)) {
      return null;
    }
    if (vector instanceof DateDayVector dates) {
      return LocalDate.ofEpochDay(dates.get(index)).toString();
    }
    if (vector instanceof TimeStampVector timestamps) {
      return timestamp(timestamps, index);
    }
    Object value = vector.getObject(index);
    if (value instanceof byte[] bytes) {
      return HEX.formatHex(bytes);
    }
    return value.toString();
  }

  /**
   * The value at {@code index} for a person reading a table: integers and decimals with digit
   * groups ({@code 1,234,567}), floating-point numbers rounded to six decimals without trailing
   * zeros ({@code 2,718.281828}, {@code 0.5}); very large or small ones in scientific notation with
   * seven significant digits. Other values as {@link #format}. CSV, JSON and Arrow output keep the
   * raw values.
   */
  static String display(FieldVector vector, int index) {
    if (vector.isNull(index)) {
      return null;
    }
    ArrowType type = vector.getField().getType();
    if (type instanceof ArrowType.Int integer && integer.getIsSigned()) {
      Object value = vector.getObject(index);
      if (value instanceof Number number) {
        return value instanceof Long
                || value instanceof Integer
                || value instanceof Short
                || value instanceof Byte
            ? String.format(Locale.ROOT, "%,d", number.longValue())
            : value.toString();
      }
    }
    if (type instanceof ArrowType.Decimal) {
      BigDecimal decimal = (BigDecimal) vector.getObject(index);
      DecimalFormat exact = grouped();
      exact.setMinimumFractionDigits(Math.max(0, decimal.scale()));
      exact.setMaximumFractionDigits(Math.max(0, decimal.scale()));
      return exact.format(decimal);
    }
    if (type instanceof ArrowType.FloatingPoint) {
      double value = ((Number) vector.getObject(index)).doubleValue();
      double magnitude = Math.abs(value);
      if (Double.isNaN(value) || Double.isInfinite(value)) {
        return Double.toString(value);
      }
      if (magnitude != 0 && (magnitude >= 1e15 || magnitude < 1e-6)) {
        return String.format(Locale.ROOT, "%.6e", value);
      }
      DecimalFormat rounded = grouped();
      rounded.setMaximumFractionDigits(6);
      return rounded.format(value);
    }
    return format(vector, index);
  }

  private static DecimalFormat grouped() {
    DecimalFormat format =
        new DecimalFormat("#,##0.#", DecimalFormatSymbols.getInstance(Locale.ROOT));
    format.setMaximumFractionDigits(340);
    format.setRoundingMode(RoundingMode.HALF_EVEN);
    return format;
  }

  /** True for values written without quotes in JSON. */
  static boolean isNumeric(FieldVector vector) {
    ArrowType type = vector.getField().getType();
    return type instanceof ArrowType.Int
        || type instanceof ArrowType.FloatingPoint
        || type instanceof ArrowType.Decimal;
  }

  private static String timestamp(TimeStampVector vector, int index) {
    ArrowType.Timestamp type = (ArrowType.Timestamp) vector.getField().getType();
    long value = vector.get(index);
    Instant instant =
        switch (type.getUnit()) {
          case SECOND -> Instant.ofEpochSecond(value);
          case MILLISECOND -> Instant.ofEpochMilli(value);
          case MICROSECOND ->
              Instant.ofEpochSecond(
                  Math.floorDiv(value, 1_000_000L), Math.floorMod(value, 1_000_000L) * 1000);
          case NANOSECOND ->
              Instant.ofEpochSecond(
                  Math.floorDiv(value, 1_000_000_000L), Math.floorMod(value, 1_000_000_000L));
        };
    if (type.getTimezone() != null) {
      return instant.toString();
    }
    return LocalDateTime.ofInstant(instant, ZoneOffset.UTC).toString();
  }
}
