package dev.quiver.client.cli;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
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
