package dev.quiver.server.expression;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.util.Locale;
import org.apache.arrow.vector.types.pojo.ArrowType;

/** EXTRACT and date_trunc over dates and timestamps (UTC), as DuckDB defines their units. */
final class Temporal {
  private Temporal() {}

  static Column extract(String unit, Column input) {
    String u = unit.toUpperCase(Locale.ROOT);
    Column out = Column.allocate(Expression.BIGINT, input.size);
    out.nullsFrom(input);
    for (int i = 0; i < input.size; i++) {
      if (input.isNull(i)) {
        continue;
      }
      LocalDateTime time = dateTime(input.longs[i], input.type);
      out.longs[i] =
          switch (u) {
            case "YEAR" -> time.getYear();
            case "QUARTER" -> (time.getMonthValue() - 1) / 3 + 1;
            case "MONTH" -> time.getMonthValue();
            case "WEEK" -> time.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
            case "DAY" -> time.getDayOfMonth();
            case "DOW" -> time.getDayOfWeek().getValue() % 7;
            case "ISODOW" -> time.getDayOfWeek().getValue();
            case "DOY" -> time.getDayOfYear();
            case "HOUR" -> time.getHour();
            case "MINUTE" -> time.getMinute();
            case "SECOND" -> time.getSecond();
            case "EPOCH" -> time.toEpochSecond(ZoneOffset.UTC);
            case "DECADE" -> Math.floorDiv(time.getYear(), 10);
            case "CENTURY" -> time.getYear() > 0 ? (time.getYear() - 1) / 100 + 1 : 0;
            default -> throw new IllegalArgumentException("Cannot EXTRACT " + unit);
          };
    }
    return out;
  }

  /** Truncates to the start of the unit; the result has the input's type. */
  static Column truncate(String unit, Column input) {
    String u = unit.toUpperCase(Locale.ROOT);
    Column out = Column.allocate(input.type, input.size);
    out.nullsFrom(input);
    for (int i = 0; i < input.size; i++) {
      if (input.isNull(i)) {
        continue;
      }
      LocalDateTime time = dateTime(input.longs[i], input.type);
      LocalDateTime truncated =
          switch (u) {
            case "MILLENNIUM" -> start(Math.floorDiv(time.getYear(), 1000) * 1000, 1, 1);
            case "CENTURY" -> start(Math.floorDiv(time.getYear() - 1, 100) * 100 + 1, 1, 1);
            case "DECADE" -> start(Math.floorDiv(time.getYear(), 10) * 10, 1, 1);
            case "YEAR" -> start(time.getYear(), 1, 1);
            case "QUARTER" -> start(time.getYear(), (time.getMonthValue() - 1) / 3 * 3 + 1, 1);
            case "MONTH" -> start(time.getYear(), time.getMonthValue(), 1);
            case "WEEK" ->
                time.toLocalDate()
                    .minusDays(time.getDayOfWeek().getValue() - DayOfWeek.MONDAY.getValue())
                    .atStartOfDay();
            case "DAY" -> time.toLocalDate().atStartOfDay();
            case "HOUR" -> time.withMinute(0).withSecond(0).withNano(0);
            case "MINUTE" -> time.withSecond(0).withNano(0);
            case "SECOND" -> time.withNano(0);
            default -> throw new IllegalArgumentException("Cannot truncate to " + unit);
          };
      out.longs[i] =
          input.type instanceof ArrowType.Date
              ? truncated.toLocalDate().toEpochDay()
              : truncated.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + truncated.getNano() / 1_000;
    }
    return out;
  }

  private static LocalDateTime start(int year, int month, int day) {
    return LocalDate.of(year, month, day).atStartOfDay();
  }

  private static LocalDateTime dateTime(long value, ArrowType type) {
    if (type instanceof ArrowType.Date) {
      return LocalDate.ofEpochDay(value).atStartOfDay();
    }
    if (type instanceof ArrowType.Timestamp) {
      return LocalDateTime.ofEpochSecond(
          Math.floorDiv(value, 1_000_000L),
          (int) Math.floorMod(value, 1_000_000L) * 1_000,
          ZoneOffset.UTC);
    }
    throw new IllegalArgumentException("Expected a date or timestamp, got " + type);
  }
}
