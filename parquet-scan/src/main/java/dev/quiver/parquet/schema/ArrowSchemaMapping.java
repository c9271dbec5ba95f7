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
import org.apache.parquet.schema.GroupType;
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
   * Converts a file schema. Groups become Arrow STRUCT, LIST and MAP columns (see {@link
   * #toArrowField(Type, String)}).
   *
   * @param file the file the schema belongs to, for error messages
   */
  public static Schema toArrowSchema(MessageType parquetSchema, String file) {
    requireNonNull(parquetSchema, "parquetSchema is null");
    List<Field> fields = new ArrayList<>(parquetSchema.getFieldCount());
    for (Type type : parquetSchema.getFields()) {
      fields.add(toArrowField(type, file));
    }
    return new Schema(fields);
  }

  /**
   * Converts any column. A {@code LIST} group becomes a List of its element (the standard
   * three-level form, or the legacy two-level forms whose repeated field is the element); a {@code
   * MAP} group a Map of (key, value) entries; any other group a Struct; a repeated field outside a
   * LIST a List of non-null elements. Lists and maps are nullable when their group is optional.
   */
  public static Field toArrowField(Type type, String file) {
    if (type.isPrimitive() && !type.isRepetition(Type.Repetition.REPEATED)) {
      return toArrowField(type.asPrimitiveType(), file);
    }
    if (type.isRepetition(Type.Repetition.REPEATED)) {
      Field element = element(type, "element", file);
      return new Field(
          type.getName(), new FieldType(false, ArrowType.List.INSTANCE, null), List.of(element));
    }
    GroupType group = type.asGroupType();
    boolean nullable = !group.isRepetition(Type.Repetition.REQUIRED);
    LogicalTypeAnnotation logical = group.getLogicalTypeAnnotation();
    if (logical instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation) {
      Type repeated = onlyRepeatedChild(group, file);
      Field element =
          isElementItself(repeated, group.getName())
              ? element(repeated, "element", file)
              : rename(toArrowField(repeated.asGroupType().getType(0), file), "element");
      return new Field(
          group.getName(),
          new FieldType(nullable, ArrowType.List.INSTANCE, null),
          List.of(element));
    }
    if (logical instanceof LogicalTypeAnnotation.MapLogicalTypeAnnotation
        || logical instanceof LogicalTypeAnnotation.MapKeyValueTypeAnnotation) {
      Type repeated = onlyRepeatedChild(group, file);
      if (repeated.isPrimitive() || repeated.asGroupType().getFieldCount() != 2) {
        throw new UnsupportedParquetFeatureException(
            "Cannot read column '"
                + group.getName()
                + "' of "
                + file
                + ": a MAP needs a repeated group of key and value");
      }
      GroupType entries = repeated.asGroupType();
      Field key = rename(toArrowField(entries.getType(0), file), "key");
      key = new Field("key", new FieldType(false, key.getType(), null), key.getChildren());
      Field value = rename(toArrowField(entries.getType(1), file), "value");
      Field entry =
          new Field(
              "entries",
              new FieldType(false, ArrowType.Struct.INSTANCE, null),
              List.of(key, value));
      return new Field(
          group.getName(), new FieldType(nullable, new ArrowType.Map(false), null), List.of(entry));
    }
    return struct(group, nullable, file);
  }

  /**
   * Whether a LIST's repeated field is the element itself (legacy two-level lists) rather than a
   * wrapper around it, by the Parquet format's backward-compatibility rules.
   */
  public static boolean isElementItself(Type repeated, String listName) {
    return repeated.isPrimitive()
        || repeated.asGroupType().getFieldCount() > 1
        || repeated.getName().equals("array")
        || repeated.getName().equals(listName + "_tuple");
  }

  private static Type onlyRepeatedChild(GroupType group, String file) {
    if (group.getFieldCount() != 1 || !group.getType(0).isRepetition(Type.Repetition.REPEATED)) {
      throw new UnsupportedParquetFeatureException(
          "Cannot read column '"
              + group.getName()
              + "' of "
              + file
              + ": a "
              + group.getLogicalTypeAnnotation()
              + " group needs exactly one repeated field");
    }
    return group.getType(0);
  }

  /** A repeated field read as a list element: never null. */
  private static Field element(Type repeated, String name, String file) {
    Field field =
        repeated.isPrimitive()
            ? toArrowField(repeated.asPrimitiveType(), file)
            : struct(repeated.asGroupType(), false, file);
    return new Field(name, new FieldType(false, field.getType(), null), field.getChildren());
  }

  private static Field struct(GroupType group, boolean nullable, String file) {
    List<Field> children = new ArrayList<>(group.getFieldCount());
    for (Type child : group.getFields()) {
      children.add(toArrowField(child, file));
    }
    return new Field(
        group.getName(), new FieldType(nullable, ArrowType.Struct.INSTANCE, null), children);
  }

  private static Field rename(Field field, String name) {
    return new Field(name, field.getFieldType(), field.getChildren());
  }

  /** Converts one primitive column; a repeated one is a non-null element. */
  public static Field toArrowField(PrimitiveType column, String file) {
    boolean nullable = column.isRepetition(Type.Repetition.OPTIONAL);
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
