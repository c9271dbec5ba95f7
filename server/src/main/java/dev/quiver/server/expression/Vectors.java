package dev.quiver.server.expression;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeMilliVector;
import org.apache.arrow.vector.TimeNanoVector;
import org.apache.arrow.vector.TimeSecVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;

/** Moves values between Arrow vectors and {@link Column}s. */
public final class Vectors {
  private Vectors() {}

  /** Reads the first {@code rows} values of {@code vector}. */
  public static Column read(FieldVector vector, int rows) {
    return read(vector, null, rows);
  }

  /**
   * Reads values {@code selection[0..rows)} of {@code vector}, or its first {@code rows} values
   * when {@code selection} is null.
   */
  static Column read(FieldVector vector, int[] selection, int rows) {
    Column column = Column.allocate(vector.getField().getType(), rows);
    for (int j = 0; j < rows; j++) {
      readValue(vector, selection == null ? j : selection[j], column, j);
    }
    return column;
  }

  /**
   * Reads the values {@code rows} names, in that order, from {@code vectors}, which have one type:
   * row reference {@code r} is value {@code (int) r} of {@code vectors.get((int) (r >>> 32))}.
   */
  public static Column gather(List<? extends FieldVector> vectors, long[] rows) {
    if (vectors.isEmpty()) {
      throw new IllegalArgumentException("Cannot gather values from no vectors");
    }
    Column column = Column.allocate(vectors.get(0).getField().getType(), rows.length);
    for (int j = 0; j < rows.length; j++) {
      readValue(vectors.get((int) (rows[j] >>> 32)), (int) rows[j], column, j);
    }
    return column;
  }

  /** Reads value {@code i} of {@code vector} into value {@code j} of {@code column}. */
  private static void readValue(FieldVector vector, int i, Column column, int j) {
    ArrowType type = column.type;
    if (vector.isNull(i)) {
      column.setNull(j);
      return;
    }
    if (vector instanceof BaseIntVector ints) {
      column.longs[j] = ints.getValueAsLong(i);
    } else if (vector instanceof FloatingPointVector floats) {
      column.doubles[j] = floats.getValueAsDouble(i);
    } else if (vector instanceof BitVector bits) {
      column.longs[j] = bits.get(i);
    } else if (vector instanceof DateDayVector dates) {
      column.longs[j] = dates.get(i);
    } else if (vector instanceof DateMilliVector dates) {
      column.longs[j] = Math.floorDiv(dates.get(i), 86_400_000L);
    } else if (vector instanceof TimeStampVector timestamps) {
      column.longs[j] = toMicros(timestamps.get(i), ((ArrowType.Timestamp) type).getUnit());
    } else if (vector instanceof TimeMicroVector times) {
      column.longs[j] = times.get(i);
    } else if (vector instanceof TimeMilliVector times) {
      column.longs[j] = times.get(i) * 1_000L;
    } else if (vector instanceof TimeNanoVector times) {
      column.longs[j] = times.get(i) / 1_000L;
    } else if (vector instanceof TimeSecVector times) {
      column.longs[j] = times.get(i) * 1_000_000L;
    } else if (vector instanceof DecimalVector decimals) {
      column.objects[j] = decimals.getObject(i);
    } else if (vector instanceof VarCharVector strings) {
      column.objects[j] = new String(strings.get(i), StandardCharsets.UTF_8);
    } else {
      throw new IllegalArgumentException(
          "Cannot compute with column '" + vector.getName() + "' of type " + type);
    }
  }

  /**
   * Writes {@code column} into {@code vector}, which has the column's type and is allocated here.
   *
   * @throws ArithmeticException when a value does not fit the vector's type
   */
  public static void write(Column column, FieldVector vector) {
    int rows = column.size;
    vector.setInitialCapacity(rows);
    vector.allocateNew();
    ArrowType type = vector.getField().getType();
    for (int i = 0; i < rows; i++) {
      if (column.isNull(i)) {
        vector.setNull(i);
      } else if (vector instanceof BaseIntVector ints) {
        ints.setWithPossibleTruncate(i, fit(column.longs[i], (ArrowType.Int) type));
      } else if (vector instanceof org.apache.arrow.vector.Float8Vector doubles) {
        doubles.setSafe(i, column.doubles[i]);
      } else if (vector instanceof org.apache.arrow.vector.Float4Vector floats) {
        floats.setSafe(i, (float) column.doubles[i]);
      } else if (vector instanceof BitVector bits) {
        bits.setSafe(i, column.longs[i] != 0 ? 1 : 0);
      } else if (vector instanceof DateDayVector dates) {
        dates.setSafe(i, Math.toIntExact(column.longs[i]));
      } else if (vector instanceof TimeStampVector timestamps) {
        timestamps.setSafe(i, fromMicros(column.longs[i], ((ArrowType.Timestamp) type).getUnit()));
      } else if (vector instanceof TimeMicroVector times) {
        times.setSafe(i, column.longs[i]);
      } else if (vector instanceof TimeMilliVector times) {
        times.setSafe(i, Math.toIntExact(column.longs[i] / 1_000L));
      } else if (vector instanceof DecimalVector decimals) {
        BigDecimal value = (BigDecimal) column.objects[i];
        ArrowType.Decimal decimal = (ArrowType.Decimal) type;
        BigDecimal scaled = Casts.toDecimal(value, decimal.getPrecision(), decimal.getScale());
        decimals.setSafe(i, scaled);
      } else if (vector instanceof VarCharVector strings) {
        strings.setSafe(i, ((String) column.objects[i]).getBytes(StandardCharsets.UTF_8));
      } else {
        throw new IllegalArgumentException("Cannot write values of type " + type);
      }
    }
    vector.setValueCount(rows);
  }

  private static long fit(long value, ArrowType.Int type) {
    int bits = type.getBitWidth();
    if (bits < 64) {
      long min = type.getIsSigned() ? -(1L << (bits - 1)) : 0;
      long max = type.getIsSigned() ? (1L << (bits - 1)) - 1 : (1L << bits) - 1;
      if (value < min || value > max) {
        throw new ArithmeticException(
            "Value " + value + " is out of range for " + Casts.typeName(type));
      }
    }
    return value;
  }

  static long toMicros(long value, TimeUnit unit) {
    return switch (unit) {
      case SECOND -> value * 1_000_000L;
      case MILLISECOND -> value * 1_000L;
      case MICROSECOND -> value;
      case NANOSECOND -> Math.floorDiv(value, 1_000L);
    };
  }

  static long fromMicros(long micros, TimeUnit unit) {
    return switch (unit) {
      case SECOND -> Math.floorDiv(micros, 1_000_000L);
      case MILLISECOND -> Math.floorDiv(micros, 1_000L);
      case MICROSECOND -> micros;
      case NANOSECOND -> Math.multiplyExact(micros, 1_000L);
    };
  }
}
