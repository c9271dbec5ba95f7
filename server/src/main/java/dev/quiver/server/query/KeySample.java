package dev.quiver.server.query;

import dev.quiver.server.exec.SortKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A uniform random sample of the sort keys of every row that passes (a reservoir: row i replaces a
 * random kept one with probability size / i), taken as the rows pass, so that rows kept on disk
 * need no second reading. Random rows rather than evenly spaced ones: data laid out periodically
 * (every 1,000th row NULL, say) would bias the range boundaries chosen from it.
 */
final class KeySample implements AutoCloseable {
  private final List<SortKey> keys;
  private final int size;
  private final Random random;
  private final VectorSchemaRoot sample;
  private long seen;

  /**
   * @param schema the rows' schema; the sample has the key columns in key order
   * @param seed makes the sample repeatable, e.g. the query id
   */
  KeySample(List<SortKey> keys, Schema schema, int size, String seed, BufferAllocator allocator) {
    this.keys = List.copyOf(keys);
    this.size = size;
    this.random = new Random(seed.hashCode());
    List<Field> fields = new ArrayList<>();
    for (SortKey key : keys) {
      fields.add(schema.getFields().get(key.column()));
    }
    this.sample = VectorSchemaRoot.create(new Schema(fields), allocator);
  }

  void add(VectorSchemaRoot batch) {
    for (int row = 0; row < batch.getRowCount(); row++, seen++) {
      int slot;
      if (seen < size) {
        slot = (int) seen;
      } else {
        long chosen = (long) (random.nextDouble() * (seen + 1));
        if (chosen >= size) {
          continue;
        }
        slot = (int) chosen;
      }
      for (int k = 0; k < keys.size(); k++) {
        sample.getVector(k).copyFromSafe(row, slot, batch.getVector(keys.get(k).column()));
      }
    }
  }

  /** The sample as Arrow IPC; null when no row passed. */
  String encode() {
    if (seen == 0) {
      return null;
    }
    int rows = (int) Math.min(seen, size);
    for (FieldVector vector : sample.getFieldVectors()) {
      vector.setValueCount(rows);
    }
    sample.setRowCount(rows);
    return ArrowBytes.encode(sample);
  }

  @Override
  public void close() {
    sample.close();
  }
}
