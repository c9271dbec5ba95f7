package dev.quiver.parquet.decode;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.schema.UnsupportedParquetFeatureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.Decimal256Vector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeMilliVector;
import org.apache.arrow.vector.TimeNanoVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

/**
 * Chooses the decoder for a (Parquet column, Arrow vector) pair. The vector's type comes from
 * {@link dev.quiver.parquet.schema.ArrowSchemaMapping}, possibly widened by dataset unification
 * (INT32 into BIGINT, FLOAT into DOUBLE).
 */
public final class ColumnDecoders {
  private static final long JULIAN_DAY_OF_EPOCH = 2_440_588L;
  private static final long NANOS_PER_DAY = 86_400_000_000_000L;

  private ColumnDecoders() {}

  /**
   * Returns a decoder that reads {@code reader}'s values into {@code vector}.
   *
   * @param file the file being read, for error messages
   */
  public static ColumnDecoder forColumn(ColumnReader reader, FieldVector vector, String file) {
    requireNonNull(reader, "reader is null");
    requireNonNull(vector, "vector is null");
    ColumnDescriptor column = reader.getDescriptor();
    if (column.getMaxRepetitionLevel() > 0) {
      throw new UnsupportedParquetFeatureException(
          "Cannot read column '"
              + String.join(".", column.getPath())
              + "' of "
              + file
              + ": repeated columns are not supported yet");
    }
    return new FlatColumnDecoder(reader, vector, copier(column, vector, file));
  }

  /**
   * Returns a decoder for a nested top-level column (STRUCT, LIST, MAP) from its leaf columns.
   *
   * @param schema the file's requested schema, which holds {@code column}
   * @param readers the reader of each leaf column
   * @param file the file being read, for error messages
   */
  public static ColumnDecoder forNestedColumn(
      MessageType schema,
      Type column,
      FieldVector vector,
      java.util.function.Function<ColumnDescriptor, ColumnReader> readers,
      String file) {
    return NestedColumnDecoder.create(schema, column, vector, readers, file);
  }

  /**
   * Whether {@link #forPages} can read {@code chunk} into {@code vector}: a flat INT32, INT64,
   * FLOAT or DOUBLE column with the vector's bit layout, PLAIN or dictionary encoded.
   */
  public static boolean canReadPages(
      ColumnDescriptor column,
      org.apache.parquet.hadoop.metadata.ColumnChunkMetaData chunk,
      FieldVector vector) {
    return PageColumnDecoder.supports(column, chunk, vector);
  }

  /**
   * Returns the page-level decoder for a column {@link #canReadPages} accepts; it reads every page
   * of {@code pages}, which must not be shared with a column reader. Integer values outside the
   * chunk's {@code statistics} (null for none) fail the scan as corrupt. It decodes into {@code
   * scratch}, which the caller keeps for the column's next chunk (and no other decoder uses
   * meanwhile).
   */
  public static ColumnDecoder forPages(
      ColumnDescriptor column,
      org.apache.parquet.column.page.PageReader pages,
      FieldVector vector,
      org.apache.parquet.column.statistics.Statistics<?> statistics,
      DecodeScratch scratch) {
    return new PageColumnDecoder(column, pages, vector, statistics, scratch);
  }

  /** Returns a decoder that fills {@code vector} with nulls, for a column a file lacks. */
  public static ColumnDecoder forMissingColumn(FieldVector vector) {
    return new MissingColumnDecoder(vector);
  }

  static ValueCopier copier(ColumnDescriptor column, FieldVector vector, String file) {
    PrimitiveTypeName physical = column.getPrimitiveType().getPrimitiveTypeName();
    ValueCopier copier =
        switch (physical) {
          case BOOLEAN -> booleanCopier(vector);
          case INT32 -> int32Copier(vector);
          case INT64 -> int64Copier(vector);
          case INT96 -> int96Copier(vector);
          case FLOAT -> floatCopier(vector);
          case DOUBLE ->
              vector instanceof Float8Vector v ? (r, i) -> v.set(i, r.getDouble()) : null;
          case BINARY, FIXED_LEN_BYTE_ARRAY -> binaryCopier(vector);
        };
    if (copier == null) {
      throw new UnsupportedParquetFeatureException(
          "Cannot read column '"
              + String.join(".", column.getPath())
              + "' of "
              + file
              + ": "
              + physical
              + " values cannot be decoded into Arrow type "
              + vector.getField().getType());
    }
    return copier;
  }

  private static ValueCopier booleanCopier(FieldVector vector) {
    return vector instanceof BitVector v ? (r, i) -> v.set(i, r.getBoolean() ? 1 : 0) : null;
  }

  private static ValueCopier int32Copier(FieldVector vector) {
    if (vector instanceof IntVector v) {
      return (r, i) -> v.set(i, r.getInteger());
    } else if (vector instanceof BigIntVector v) {
      return (r, i) -> v.set(i, r.getInteger());
    } else if (vector instanceof TinyIntVector v) {
      return (r, i) -> v.set(i, (byte) r.getInteger());
    } else if (vector instanceof SmallIntVector v) {
      return (r, i) -> v.set(i, (short) r.getInteger());
    } else if (vector instanceof UInt1Vector v) {
      return (r, i) -> v.set(i, r.getInteger());
    } else if (vector instanceof UInt2Vector v) {
      return (r, i) -> v.set(i, r.getInteger());
    } else if (vector instanceof UInt4Vector v) {
      return (r, i) -> v.set(i, r.getInteger());
    } else if (vector instanceof DateDayVector v) {
      return (r, i) -> v.set(i, r.getInteger());
    } else if (vector instanceof TimeMilliVector v) {
      return (r, i) -> v.set(i, r.getInteger());
    } else if (vector instanceof DecimalVector v) {
      return (r, i) -> v.set(i, r.getInteger());
    } else if (vector instanceof Decimal256Vector v) {
      return (r, i) -> v.set(i, r.getInteger());
    }
    return null;
  }

  private static ValueCopier int64Copier(FieldVector vector) {
    if (vector instanceof BigIntVector v) {
      return (r, i) -> v.set(i, r.getLong());
    } else if (vector instanceof UInt8Vector v) {
      return (r, i) -> v.set(i, r.getLong());
    } else if (vector instanceof TimeStampVector v) {
      return (r, i) -> v.set(i, r.getLong());
    } else if (vector instanceof TimeMicroVector v) {
      return (r, i) -> v.set(i, r.getLong());
    } else if (vector instanceof TimeNanoVector v) {
      return (r, i) -> v.set(i, r.getLong());
    } else if (vector instanceof DecimalVector v) {
      return (r, i) -> v.set(i, r.getLong());
    } else if (vector instanceof Decimal256Vector v) {
      return (r, i) -> v.set(i, r.getLong());
    }
    return null;
  }

  private static ValueCopier int96Copier(FieldVector vector) {
    if (!(vector instanceof TimeStampVector v)) {
      return null;
    }
    return (r, i) -> {
      ByteBuffer bytes = r.getBinary().toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      int start = bytes.position();
      long nanosOfDay = bytes.getLong(start);
      long julianDay = Integer.toUnsignedLong(bytes.getInt(start + 8));
      v.set(i, (julianDay - JULIAN_DAY_OF_EPOCH) * NANOS_PER_DAY + nanosOfDay);
    };
  }

  private static ValueCopier floatCopier(FieldVector vector) {
    if (vector instanceof Float4Vector v) {
      return (r, i) -> v.set(i, r.getFloat());
    } else if (vector instanceof Float8Vector v) {
      return (r, i) -> v.set(i, r.getFloat());
    }
    return null;
  }

  private static ValueCopier binaryCopier(FieldVector vector) {
    if (vector instanceof VarCharVector v) {
      return (r, i) ->
          setVariableWidth(r.getBinary(), (index, b, s, l) -> v.setSafe(index, b, s, l), i);
    } else if (vector instanceof VarBinaryVector v) {
      return (r, i) ->
          setVariableWidth(r.getBinary(), (index, b, s, l) -> v.setSafe(index, b, s, l), i);
    } else if (vector instanceof FixedSizeBinaryVector v) {
      return (r, i) -> v.set(i, r.getBinary().getBytesUnsafe());
    } else if (vector instanceof DecimalVector v) {
      return (r, i) -> v.setBigEndian(i, r.getBinary().getBytesUnsafe());
    } else if (vector instanceof Decimal256Vector v) {
      return (r, i) -> v.setBigEndian(i, r.getBinary().getBytesUnsafe());
    } else if (vector instanceof Float2Vector v) {
      return (r, i) -> {
        ByteBuffer bytes = r.getBinary().toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        v.set(i, bytes.getShort(bytes.position()));
      };
    }
    return null;
  }

  @FunctionalInterface
  private interface ByteBufferSetter {
    void set(int index, ByteBuffer bytes, int start, int length);
  }

  private static void setVariableWidth(Binary value, ByteBufferSetter setter, int index) {
    ByteBuffer bytes = value.toByteBuffer();
    setter.set(index, bytes, bytes.position(), bytes.remaining());
  }
}
