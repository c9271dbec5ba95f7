package dev.quiver.parquet.dataset;

import dev.quiver.parquet.storage.Storage;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * Hive-style partition directories ({@code year=2024/month=07/part-0.parquet}): each {@code
 * key=value} directory below the dataset's base adds a column whose value is constant in the files
 * under it.
 *
 * <p>A column is BIGINT when every value is an integer, VARCHAR otherwise. Values are URL-decoded
 * as Hive writes them, and {@code __HIVE_DEFAULT_PARTITION__} is NULL. Every file must sit under
 * the same keys in the same order.
 */
final class HivePartitions {
  static final String DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__";

  private HivePartitions() {}

  /** The raw {@code key=value} pairs of a file's directories, outermost first. */
  static Map<String, String> parse(String base, String file) {
    Map<String, String> values = new LinkedHashMap<>();
    String[] relative = Storage.relative(base, file).split("/");
    for (int i = 0; i < relative.length - 1; i++) {
      String segment = relative[i];
      int equals = segment.indexOf('=');
      if (equals <= 0) {
        continue;
      }
      String value = URLDecoder.decode(segment.substring(equals + 1), StandardCharsets.UTF_8);
      values.put(segment.substring(0, equals), value);
    }
    return values;
  }

  /**
   * Types the partition columns and gives each file its canonical values.
   *
   * @param raw every file's raw values, in file order
   * @return the partition fields, in directory order
   * @throws InvalidDatasetException if files sit under different keys
   */
  static List<Field> fields(List<String> files, List<Map<String, String>> raw) {
    if (raw.isEmpty() || raw.get(0).isEmpty()) {
      for (int i = 0; i < raw.size(); i++) {
        if (!raw.get(i).isEmpty()) {
          throw mismatch(files.get(0), raw.get(0), files.get(i), raw.get(i));
        }
      }
      return List.of();
    }
    List<String> keys = new ArrayList<>(raw.get(0).keySet());
    for (int i = 1; i < raw.size(); i++) {
      if (!new ArrayList<>(raw.get(i).keySet()).equals(keys)) {
        throw mismatch(files.get(0), raw.get(0), files.get(i), raw.get(i));
      }
    }
    List<Field> fields = new ArrayList<>();
    for (String key : keys) {
      boolean integers = true;
      for (Map<String, String> values : raw) {
        String value = values.get(key);
        if (!isNull(value) && !isInteger(value)) {
          integers = false;
        }
      }
      ArrowType type = integers ? new ArrowType.Int(64, true) : ArrowType.Utf8.INSTANCE;
      fields.add(new Field(key, FieldType.nullable(type), null));
    }
    return fields;
  }

  /** A file's canonical partition values for {@code fields}. */
  static Map<String, Object> values(List<Field> fields, Map<String, String> raw) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (Field field : fields) {
      String value = raw.get(field.getName());
      if (isNull(value)) {
        values.put(field.getName(), null);
      } else if (field.getType() instanceof ArrowType.Int) {
        values.put(field.getName(), Long.parseLong(value));
      } else {
        values.put(field.getName(), value);
      }
    }
    return values;
  }

  private static boolean isNull(String value) {
    return value == null || value.isEmpty() || value.equals(DEFAULT_PARTITION);
  }

  private static boolean isInteger(String value) {
    try {
      Long.parseLong(value);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static InvalidDatasetException mismatch(
      String first, Map<String, String> firstKeys, String other, Map<String, String> otherKeys) {
    return new InvalidDatasetException(
        "Partition directories differ: "
            + first
            + " is under "
            + firstKeys.keySet()
            + " but "
            + other
            + " is under "
            + otherKeys.keySet());
  }
}
