package dev.quiver.server.exec;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.expression.Column;
import dev.quiver.server.expression.Vectors;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Sorts the rows of batches it holds by {@link SortKey}s, without boxing: the key columns of each
 * batch are read once into primitive arrays and row references ({@code batch << 32 | row}) are
 * merge-sorted, stably, in a {@code long[]}.
 *
 * <p>The sorter owns the batches added to it and closes them on {@link #close()}.
 */
public final class Sorter implements AutoCloseable {
  private final List<SortKey> keys;
  private final BufferAllocator allocator;
  private final List<VectorSchemaRoot> parts = new ArrayList<>();
  private final List<Column[]> keyColumns = new ArrayList<>();
  private int rows;

  /**
   * @param allocator where compacted batches live
   */
  public Sorter(List<SortKey> keys, BufferAllocator allocator) {
    this.keys = List.copyOf(keys);
    this.allocator = requireNonNull(allocator, "allocator is null");
  }

  /** Adds a batch; the sorter owns it from now on. */
  public void add(VectorSchemaRoot batch) {
    Column[] columns = new Column[keys.size()];
    for (int k = 0; k < keys.size(); k++) {
      FieldVector vector = batch.getVector(keys.get(k).column());
      columns[k] = Vectors.read(vector, batch.getRowCount());
    }
    parts.add(batch);
    keyColumns.add(columns);
    rows += batch.getRowCount();
  }

  /**
   * Adds the rows of a batch someone else owns: its buffers move into a batch of the sorter's, and
   * {@code batch} is left empty.
   */
  public void addMovedFrom(VectorSchemaRoot batch) {
    add(Batches.moved(batch, allocator));
  }

  /** Rows held. */
  public int rowCount() {
    return rows;
  }

  /** The batches held, in the order they were added. */
  public List<VectorSchemaRoot> parts() {
    return parts;
  }

  /**
   * The first {@code limit} rows in order, as {@code part << 32 | row}.
   *
   * @param limit the most rows wanted
   */
  public long[] sorted(long limit) {
    long[] order = new long[rows];
    int i = 0;
    for (int p = 0; p < parts.size(); p++) {
      int count = parts.get(p).getRowCount();
      for (int r = 0; r < count; r++) {
        order[i++] = ((long) p << 32) | r;
      }
    }
    if (!keys.isEmpty()) {
      mergeSort(order, new long[order.length], 0, order.length);
    }
    int kept = (int) Math.min(order.length, limit);
    return kept == order.length ? order : java.util.Arrays.copyOf(order, kept);
  }

  /**
   * Fills {@code out} with rows {@code [from, to)} of {@code order}: column {@code c} of {@code
   * out} from column {@code columns[c]} of the batches.
   */
  public void fill(VectorSchemaRoot out, long[] order, int from, int to, int[] columns) {
    for (int c = 0; c < columns.length; c++) {
      FieldVector target = out.getVector(c);
      target.setInitialCapacity(to - from);
      target.allocateNew();
      int column = columns[c];
      for (int i = from; i < to; i++) {
        long row = order[i];
        target.copyFromSafe((int) row, i - from, parts.get((int) (row >>> 32)).getVector(column));
      }
      target.setValueCount(to - from);
    }
    out.setRowCount(to - from);
  }

  /**
   * Whether some row of {@code batch} sorts strictly before held row {@code row} ({@code part << 32
   * | row}): a top-N holding its first rows needs nothing from a batch that has none, since the
   * sort is stable and an equal row comes after the one held. Reads the batch's key columns, not
   * its other columns, and leaves the batch to its owner.
   */
  public boolean anyBefore(VectorSchemaRoot batch, long row) {
    int count = batch.getRowCount();
    Column[] columns = new Column[keys.size()];
    for (int k = 0; k < keys.size(); k++) {
      columns[k] = Vectors.read(batch.getVector(keys.get(k).column()), count);
    }
    Column[] held = keyColumns.get((int) (row >>> 32));
    int heldRow = (int) row;
    for (int r = 0; r < count; r++) {
      if (SortKey.compare(keys, columns, r, held, heldRow) < 0) {
        return true;
      }
    }
    return false;
  }

  /** Keeps only the first {@code limit} rows in order, in one batch: the top-N step. */
  public void keepFirst(long limit) {
    if (parts.isEmpty() || rows <= limit) {
      return;
    }
    long[] order = sorted(limit);
    VectorSchemaRoot top = VectorSchemaRoot.create(parts.get(0).getSchema(), allocator);
    int[] all = new int[parts.get(0).getFieldVectors().size()];
    for (int c = 0; c < all.length; c++) {
      all[c] = c;
    }
    try {
      fill(top, order, 0, order.length, all);
    } catch (RuntimeException e) {
      top.close();
      throw e;
    }
    close();
    add(top);
  }

  private int compare(long a, long b) {
    return SortKey.compare(
        keys, keyColumns.get((int) (a >>> 32)), (int) a, keyColumns.get((int) (b >>> 32)), (int) b);
  }

  private void mergeSort(long[] a, long[] buffer, int from, int to) {
    if (to - from < 16) {
      for (int i = from + 1; i < to; i++) {
        long v = a[i];
        int j = i - 1;
        while (j >= from && compare(a[j], v) > 0) {
          a[j + 1] = a[j];
          j--;
        }
        a[j + 1] = v;
      }
      return;
    }
    int middle = (from + to) >>> 1;
    mergeSort(a, buffer, from, middle);
    mergeSort(a, buffer, middle, to);
    if (compare(a[middle - 1], a[middle]) <= 0) {
      return;
    }
    System.arraycopy(a, from, buffer, from, to - from);
    int i = from;
    int j = middle;
    for (int k = from; k < to; k++) {
      if (j >= to || (i < middle && compare(buffer[i], buffer[j]) <= 0)) {
        a[k] = buffer[i++];
      } else {
        a[k] = buffer[j++];
      }
    }
  }

  @Override
  public void close() {
    parts.forEach(VectorSchemaRoot::close);
    parts.clear();
    keyColumns.clear();
    rows = 0;
  }
}
