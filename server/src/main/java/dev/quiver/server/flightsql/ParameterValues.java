package dev.quiver.server.flightsql;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.util.Text;

/**
 * The parameter values a client binds to a prepared statement, read from the Arrow batch it puts:
 * dates as {@link LocalDate}, timestamps as UTC {@link LocalDateTime}, text as {@link String},
 * numbers as Java numbers, SQL NULL as null.
 */
final class ParameterValues {
  private ParameterValues() {}

  /** The values of row {@code row}, as the planner's literals read them. */
  static List<Object> row(VectorSchemaRoot batch, int row) {
    List<Object> values = new ArrayList<>();
    for (FieldVector vector : batch.getFieldVectors()) {
      values.add(value(vector, row));
    }
    return values;
  }

  private static Object value(FieldVector vector, int row) {
    if (vector.isNull(row)) {
      return null;
    }
    if (vector instanceof DateDayVector days) {
      return LocalDate.ofEpochDay(days.get(row));
    }
    if (vector instanceof DateMilliVector millis) {
      return LocalDate.ofEpochDay(Math.floorDiv(millis.get(row), 86_400_000L));
    }
    if (vector instanceof TimeStampVector timestamps) {
      ArrowType.Timestamp type = (ArrowType.Timestamp) vector.getField().getType();
      long raw = timestamps.get(row);
      Instant instant =
          switch (type.getUnit()) {
            case SECOND -> Instant.ofEpochSecond(raw);
            case MILLISECOND -> Instant.ofEpochMilli(raw);
            case MICROSECOND ->
                Instant.ofEpochSecond(
                    Math.floorDiv(raw, 1_000_000L), Math.floorMod(raw, 1_000_000L) * 1000);
            case NANOSECOND ->
                Instant.ofEpochSecond(
                    Math.floorDiv(raw, 1_000_000_000L), Math.floorMod(raw, 1_000_000_000L));
          };
      return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
    Object value = vector.getObject(row);
    return value instanceof Text text ? text.toString() : value;
  }
}
