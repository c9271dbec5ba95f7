package dev.quiver.parquet.scan;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.HexFormat;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeMilliVector;
import org.apache.arrow.vector.TimeNanoVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;

/**
 * One text form for a value read by Quiver and the same value read by DuckDB over JDBC: integers in
 * decimal, floats widened to double, decimals as plain text, bytes as upper-case hex, dates as ISO
 * text, times and timestamps as their raw count of units (DuckDB: {@code epoch_us(...)}).
 */
final class Canonical {
  private static final HexFormat HEX = HexFormat.of().withUpperCase();

  private Canonical() {}

  static String arrow(FieldVector vector, int index) {
    if (vector.isNull(index)) {
      return "NULL";
    }
    if (vector instanceof TimeStampVector v) {
      return Long.toString(v.get(index));
    } else if (vector instanceof TimeMicroVector v) {
      return Long.toString(v.get(index));
    } else if (vector instanceof TimeNanoVector v) {
      return Long.toString(v.get(index));
    } else if (vector instanceof TimeMilliVector v) {
      return Long.toString(v.get(index));
    } else if (vector instanceof DateDayVector v) {
      return LocalDate.ofEpochDay(v.get(index)).toString();
    } else if (vector instanceof UInt1Vector v) {
      return Integer.toString(Byte.toUnsignedInt(v.get(index)));
    } else if (vector instanceof UInt2Vector v) {
      return Integer.toString(v.get(index));
    } else if (vector instanceof UInt4Vector v) {
      return Long.toString(Integer.toUnsignedLong(v.get(index)));
    } else if (vector instanceof UInt8Vector v) {
      return Long.toUnsignedString(v.get(index));
    }
    return jdbc(vector.getObject(index));
  }

  static String jdbc(Object value) {
    if (value == null) {
      return "NULL";
    }
    if (value instanceof Float f) {
      return Double.toString(f.doubleValue());
    }
    if (value instanceof Double d) {
      return Double.toString(d);
    }
    if (value instanceof BigDecimal d) {
      return d.toPlainString();
    }
    if (value instanceof Byte
        || value instanceof Short
        || value instanceof Integer
        || value instanceof Long) {
      return Long.toString(((Number) value).longValue());
    }
    if (value instanceof byte[] bytes) {
      return HEX.formatHex(bytes);
    }
    return value.toString();
  }
}
