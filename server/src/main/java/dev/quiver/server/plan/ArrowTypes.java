package dev.quiver.server.plan;

import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * Arrow types as SQL types and back. Nested columns (lists, structs, maps) are {@code ANY} to SQL:
 * they can be selected but not computed with.
 */
final class ArrowTypes {
  static final ArrowType TIMESTAMP_MICROS = new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);

  private ArrowTypes() {}

  static RelDataType toSql(Field field, RelDataTypeFactory types) {
    return types.createTypeWithNullability(sqlType(field.getType(), types), field.isNullable());
  }

  private static RelDataType sqlType(ArrowType type, RelDataTypeFactory types) {
    if (type instanceof ArrowType.Int i) {
      int bits = i.getIsSigned() ? i.getBitWidth() : Math.min(64, i.getBitWidth() * 2);
      return types.createSqlType(
          switch (bits) {
            case 8 -> SqlTypeName.TINYINT;
            case 16 -> SqlTypeName.SMALLINT;
            case 32 -> SqlTypeName.INTEGER;
            default -> SqlTypeName.BIGINT;
          });
    }
    if (type instanceof ArrowType.FloatingPoint fp) {
      return types.createSqlType(
          fp.getPrecision() == FloatingPointPrecision.DOUBLE
              ? SqlTypeName.DOUBLE
              : SqlTypeName.REAL);
    }
    if (type instanceof ArrowType.Decimal d) {
      return types.createSqlType(SqlTypeName.DECIMAL, d.getPrecision(), d.getScale());
    }
    if (type instanceof ArrowType.Utf8 || type instanceof ArrowType.LargeUtf8) {
      return types.createSqlType(SqlTypeName.VARCHAR);
    }
    if (type instanceof ArrowType.Binary
        || type instanceof ArrowType.LargeBinary
        || type instanceof ArrowType.FixedSizeBinary) {
      return types.createSqlType(SqlTypeName.VARBINARY);
    }
    if (type instanceof ArrowType.Bool) {
      return types.createSqlType(SqlTypeName.BOOLEAN);
    }
    if (type instanceof ArrowType.Date) {
      return types.createSqlType(SqlTypeName.DATE);
    }
    if (type instanceof ArrowType.Time) {
      return types.createSqlType(SqlTypeName.TIME, 6);
    }
    if (type instanceof ArrowType.Timestamp ts) {
      return types.createSqlType(
          ts.getTimezone() == null
              ? SqlTypeName.TIMESTAMP
              : SqlTypeName.TIMESTAMP_WITH_LOCAL_TIME_ZONE,
          6);
    }
    return types.createSqlType(SqlTypeName.ANY);
  }

  /**
   * The Arrow type computed values of {@code type} get.
   *
   * @throws IllegalArgumentException for a type Quiver does not compute with
   */
  static ArrowType toArrow(RelDataType type) {
    return switch (type.getSqlTypeName()) {
      case TINYINT -> new ArrowType.Int(8, true);
      case SMALLINT -> new ArrowType.Int(16, true);
      case INTEGER -> new ArrowType.Int(32, true);
      case BIGINT -> new ArrowType.Int(64, true);
      case REAL, FLOAT -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      case DOUBLE -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case DECIMAL -> new ArrowType.Decimal(type.getPrecision(), Math.max(0, type.getScale()), 128);
      case CHAR, VARCHAR -> ArrowType.Utf8.INSTANCE;
      case BOOLEAN -> ArrowType.Bool.INSTANCE;
      case DATE -> new ArrowType.Date(DateUnit.DAY);
      case TIME -> new ArrowType.Time(TimeUnit.MICROSECOND, 64);
      case TIMESTAMP -> TIMESTAMP_MICROS;
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC");
      case NULL -> ArrowType.Utf8.INSTANCE;
      default ->
          throw new IllegalArgumentException("Values of type " + type + " cannot be computed");
    };
  }
}
