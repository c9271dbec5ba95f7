package dev.quiver.client.cli;

import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * The SQL name of a column's Arrow type, as {@code quiver schema} prints it: the names the server's
 * messages use (parquet-scan's {@code Comparisons.typeName}, DuckDB's), kept here because the
 * client library does not depend on the scan library; nested types spelled out.
 */
final class SqlTypeNames {
  private SqlTypeNames() {}

  static String of(Field field) {
    ArrowType type = field.getType();
    if (type instanceof ArrowType.Int integer) {
      String name =
          switch (integer.getBitWidth()) {
            case 8 -> "TINYINT";
            case 16 -> "SMALLINT";
            case 32 -> "INTEGER";
            default -> "BIGINT";
          };
      return integer.getIsSigned() ? name : "U" + name;
    }
    if (type instanceof ArrowType.FloatingPoint floating) {
      return switch (floating.getPrecision()) {
        case HALF -> "FLOAT16";
        case SINGLE -> "FLOAT";
        case DOUBLE -> "DOUBLE";
      };
    }
    if (type instanceof ArrowType.Decimal decimal) {
      return "DECIMAL(" + decimal.getPrecision() + "," + decimal.getScale() + ")";
    }
    if (type instanceof ArrowType.Utf8
        || type instanceof ArrowType.LargeUtf8
        || type instanceof ArrowType.Utf8View) {
      return "VARCHAR";
    }
    if (type instanceof ArrowType.Binary
        || type instanceof ArrowType.LargeBinary
        || type instanceof ArrowType.BinaryView
        || type instanceof ArrowType.FixedSizeBinary) {
      return "BLOB";
    }
    if (type instanceof ArrowType.Bool) {
      return "BOOLEAN";
    }
    if (type instanceof ArrowType.Date) {
      return "DATE";
    }
    if (type instanceof ArrowType.Time) {
      return "TIME";
    }
    if (type instanceof ArrowType.Timestamp timestamp) {
      return timestamp.getTimezone() == null ? "TIMESTAMP" : "TIMESTAMP WITH TIME ZONE";
    }
    if (type instanceof ArrowType.List || type instanceof ArrowType.LargeList) {
      return field.getChildren().isEmpty() ? "LIST" : of(field.getChildren().get(0)) + "[]";
    }
    if (type instanceof ArrowType.Struct) {
      return field.getChildren().stream()
          .map(child -> child.getName() + " " + of(child))
          .collect(Collectors.joining(", ", "STRUCT(", ")"));
    }
    return type.toString().toUpperCase(Locale.ROOT);
  }
}
