package dev.quiver.parquet.scan;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;

/** Fills the columns whose value comes from a file's partition directories. */
final class PartitionColumns {
  private final Map<String, Object> values;

  PartitionColumns(Map<String, Object> values) {
    this.values = values;
  }

  boolean contains(String column) {
    return values.containsKey(column);
  }

  /** Sets {@code rows} copies of the column's value (or nulls) into {@code vector}. */
  void fill(FieldVector vector, int rows) {
    Object value = values.get(vector.getField().getName());
    vector.setInitialCapacity(rows);
    vector.allocateNew();
    if (value instanceof Long number && vector instanceof BigIntVector longs) {
      for (int i = 0; i < rows; i++) {
        longs.set(i, number);
      }
    } else if (value instanceof String text && vector instanceof VarCharVector strings) {
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < rows; i++) {
        strings.setSafe(i, bytes);
      }
    } else if (value != null) {
      throw new IllegalStateException(
          "Partition value " + value + " does not fit column " + vector.getField());
    }
    vector.setValueCount(rows);
  }
}
