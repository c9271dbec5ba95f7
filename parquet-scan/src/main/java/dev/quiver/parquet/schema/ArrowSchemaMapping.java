package dev.quiver.parquet.schema;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.DecimalLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.IntLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.LogicalTypeAnnotationVisitor;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimestampLogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Decides the Arrow type of every Parquet column: each physical and logical type maps to its
 * natural Arrow type, and every field is nullable unless the column is {@code REQUIRED}.
 *
 * <p>We do not use parquet-arrow's {@code SchemaConverter} here: its last release (1.15.1) predates
 * FLOAT16 and maps INT96 and unsigned integers differently from DuckDB and Arrow C++, and the
 * decoders must agree with this mapping exactly, so both live in this library.
 */
public final class ArrowSchemaMapping {
  private static final String UTC = "UTC";

  private ArrowSchemaMapping() {}

  /**
   * Converts a file schema. Nested columns are rejected with a message naming the file and column.
   *
   * @param file the file the schema belongs to, for error messages
   */
  public static Schema toArrowSchema(MessageType parquetSchema, String file) {
    requireNonNull(parquetSchema, "parquetSchema is null");
    List<Field> fields = new ArrayList<>(parquetSchema.getFieldCount());
    for (Type type : parquetSchema.getFields()) {
      if (!type.isPrimitive() || type.isRepetition(Type.Repetition.REPEATED)) {
        throw new UnsupportedParquetFeatureException(
            "Cannot read column '"
                + type.getName()
                + "' of "
                + file
                + ": nested and repeated columns (LIST, MAP, STRUCT) are not supported yet");
      }
      fields.add(toArrowField(type.asPrimitiveType(), file));
    }
    return new Schema(fields);
  }

  /** Converts one flat column. */
  public static Field toArrowField(PrimitiveType column, String file) {
    boolean nullable = !column.isRepetition(Type.Repetition.REQUIRED);
    ArrowType type = toArrowType(column, file);
    return new Field(column.getName(), new FieldType(nullable, type, null), null);
  }

  private static ArrowType toArrowType(PrimitiveType column, String file) {
    LogicalTypeAnnotation logical = column.getLogicalTypeAnnotation();
    if (logical != null) {
      Optional<ArrowType> mapped = logical.accept(new LogicalTypeMapper(column));
      if (mapped.isPresent()) {
        return mapped.get();
      }
      throw unsupported(column, file, "logical type " + logical);
    }
    return switch (column.getPrimitiveTypeName()) {
      case BOOLEAN -> ArrowType.Bool.INSTANCE;
      case INT32 -> new ArrowType.Int(32, true);
      case INT64 -> new ArrowType.Int(64, true);
      case INT96 -> new ArrowType.Timestamp(TimeUnit.NANOSECOND, null);
      case FLOAT -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      case DOUBLE -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case BINARY -> ArrowType.Binary.INSTANCE;
      case FIXED_LEN_BYTE_ARRAY -> new ArrowType.FixedSizeBinary(column.getTypeLength());
    };
  }

  private static UnsupportedParquetFeatureException unsupported(
      PrimitiveType column, String file, String feature) {
    return new UnsupportedParquetFeatureException(
        "Cannot read column '"
            + column.getName()
            + "' of "
            + file
            + ": "
            + feature
            + " on "
            + column.getPrimitiveTypeName()
            + " is not supported");
  }

  private static TimeUnit timeUnit(LogicalTypeAnnotation.TimeUnit unit) {
    return switch (unit) {
      case MILLIS -> TimeUnit.MILLISECOND;
      case MICROS -> TimeUnit.MICROSECOND;
      case NANOS -> TimeUnit.NANOSECOND;
    };
  }

  /** Logical annotation to Arrow type; an empty result means "not supported". */
  private record LogicalTypeMapper(PrimitiveType column)
      implements LogicalTypeAnnotationVisitor<ArrowType> {

    private PrimitiveType.PrimitiveTypeName physical() {
      return column.getPrimitiveTypeName();
    }

    private boolean isBinaryLike() {
      return physical() == PrimitiveType.PrimitiveTypeName.BINARY
          || physical() == PrimitiveType.PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY;
    }

    @Override
    public Optional<ArrowType> visit(LogicalTypeAnnotation.StringLogicalTypeAnnotation string) {
      return isBinaryLike() ? Optional.of(ArrowType.Utf8.INSTANCE) : Optional.empty();
    }

    @Override
    public Optional<ArrowType> visit(LogicalTypeAnnotation.EnumLogicalTypeAnnotation enumType) {
      return isBinaryLike() ? Optional.of(ArrowType.Utf8.INSTANCE) : Optional.empty();
    }

    @Override
    public Optional<ArrowType> visit(LogicalTypeAnnotation.JsonLogicalTypeAnnotation json) {
      return isBinaryLike() ? Optional.of(ArrowType.Utf8.INSTANCE) : Optional.empty();
    }

    @Override
    public Optional<ArrowType> visit(LogicalTypeAnnotation.BsonLogicalTypeAnnotation bson) {
      return isBinaryLike() ? Optional.of(ArrowType.Binary.INSTANCE) : Optional.empty();
    }

    @Override
    public Optional<ArrowType> visit(LogicalTypeAnnotation.UUIDLogicalTypeAnnotation uuid) {
      return Optional.of(new ArrowType.FixedSizeBinary(16));
    }

    @Override
    public Optional<ArrowType> visit(DecimalLogicalTypeAnnotation decimal) {
      int bitWidth = decimal.getPrecision() <= 38 ? 128 : 256;
      return Optional.of(
          new ArrowType.Decimal(decimal.getPrecision(), decimal.getScale(), bitWidth));
    }

    @Override
    public Optional<ArrowType> visit(LogicalTypeAnnotation.DateLogicalTypeAnnotation date) {
      return physical() == PrimitiveType.PrimitiveTypeName.INT32
          ? Optional.of(new ArrowType.Date(DateUnit.DAY))
          : Optional.empty();
    }

    @Override
    public Optional<ArrowType> visit(TimeLogicalTypeAnnotation time) {
      TimeUnit unit = timeUnit(time.getUnit());
      return Optional.of(new ArrowType.Time(unit, unit == TimeUnit.MILLISECOND ? 32 : 64));
    }

    @Override
    public Optional<ArrowType> visit(TimestampLogicalTypeAnnotation timestamp) {
      if (physical() != PrimitiveType.PrimitiveTypeName.INT64) {
        return Optional.empty();
      }
      return Optional.of(
          new ArrowType.Timestamp(
              timeUnit(timestamp.getUnit()), timestamp.isAdjustedToUTC() ? UTC : null));
    }

    @Override
    public Optional<ArrowType> visit(IntLogicalTypeAnnotation integer) {
      return Optional.of(new ArrowType.Int(integer.getBitWidth(), integer.isSigned()));
    }

    @Override
    public Optional<ArrowType> visit(LogicalTypeAnnotation.Float16LogicalTypeAnnotation half) {
      return Optional.of(new ArrowType.FloatingPoint(FloatingPointPrecision.HALF));
    }
  }
}
