package dev.quiver.server.exec;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.expression.Column;
import dev.quiver.server.expression.Vectors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The rows a window operator holds, in window order (partition keys, then order keys): a row's
 * <em>position</em> is its index in that order. Knows where each partition starts and where each
 * row's peer group (the rows of its partition with equal order keys) starts and ends, reads columns
 * in window order, and copies values out of the held batches.
 *
 * <p>The batches stay the sorter's; this reads them.
 */
final class WindowRows {
  private final Sorter sorter;
  private final long[] order;
  private final List<SortKey> keys;
  private final int partitionKeys;
  private final Column[] keyColumns;
  private final int[] partitions;
  private final int[] peerStart;
  private final int[] peerEnd;
  private final Map<Integer, Column> columns = new HashMap<>();

  /**
   * @param sorter holds every row, sorted by {@code keys}
   * @param keys the partition keys (the first {@code partitionKeys}), then the order keys
   */
  WindowRows(Sorter sorter, List<SortKey> keys, int partitionKeys) {
    this.sorter = requireNonNull(sorter, "sorter is null");
    this.keys = List.copyOf(keys);
    this.partitionKeys = partitionKeys;
    this.order = sorter.sorted(Long.MAX_VALUE);
    int size = order.length;
    this.keyColumns = new Column[keys.size()];
    for (int k = 0; k < keyColumns.length; k++) {
      keyColumns[k] = column(keys.get(k).column());
    }
    List<SortKey> partitioning = this.keys.subList(0, partitionKeys);
    List<Integer> starts = new ArrayList<>();
    peerStart = new int[size];
    peerEnd = new int[size];
    int peers = 0;
    for (int i = 0; i < size; i++) {
      boolean newPartition =
          i == 0 || SortKey.compare(partitioning, keyColumns, i - 1, keyColumns, i) != 0;
      if (newPartition) {
        starts.add(i);
      }
      if (newPartition || SortKey.compare(this.keys, keyColumns, i - 1, keyColumns, i) != 0) {
        for (int j = peers; j < i; j++) {
          peerEnd[j] = i;
        }
        peers = i;
      }
      peerStart[i] = peers;
    }
    for (int j = peers; j < size; j++) {
      peerEnd[j] = size;
    }
    partitions = new int[starts.size() + 1];
    for (int p = 0; p < starts.size(); p++) {
      partitions[p] = starts.get(p);
    }
    partitions[starts.size()] = size;
  }

  /** How many rows there are. */
  int size() {
    return order.length;
  }

  /** The rows in window order, as the sorter's row references. */
  long[] order() {
    return order;
  }

  /** How many partitions there are. */
  int partitionCount() {
    return partitions.length - 1;
  }

  /** The first position of partition {@code p}. */
  int partitionStart(int p) {
    return partitions[p];
  }

  /** The position after the last of partition {@code p}. */
  int partitionEnd(int p) {
    return partitions[p + 1];
  }

  /** The first position of the peer group of the row at {@code position}. */
  int peerStart(int position) {
    return peerStart[position];
  }

  /** The position after the peer group of the row at {@code position}. */
  int peerEnd(int position) {
    return peerEnd[position];
  }

  /** The first order key's values in window order, and how it sorts; null without order keys. */
  Column firstOrderKey() {
    return keyColumns.length > partitionKeys ? keyColumns[partitionKeys] : null;
  }

  /** How the first order key sorts; null without order keys. */
  SortKey firstOrderKeySort() {
    return keyColumns.length > partitionKeys ? keys.get(partitionKeys) : null;
  }

  /** Input column {@code column} in window order, read once. */
  Column column(int column) {
    return columns.computeIfAbsent(
        column,
        c -> {
          List<FieldVector> vectors = new ArrayList<>();
          for (VectorSchemaRoot part : sorter.parts()) {
            vectors.add(part.getVector(c));
          }
          return vectors.isEmpty() ? null : Vectors.gather(vectors, order);
        });
  }

  /** Copies the value of input column {@code column} at {@code position} into {@code target}. */
  void copy(int position, int column, FieldVector target, int targetRow) {
    long row = order[position];
    FieldVector source = sorter.parts().get((int) (row >>> 32)).getVector(column);
    target.copyFromSafe((int) row, targetRow, source);
  }
}
