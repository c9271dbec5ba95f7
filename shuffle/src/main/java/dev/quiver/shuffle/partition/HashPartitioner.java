package dev.quiver.shuffle.partition;

import dev.quiver.shuffle.key.KeyColumns;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Assigns rows to partitions by the hash of their group key, the same on every peer: partition
 * {@code p} of every peer's partial result holds the same keys, so its owner sees all of a key's
 * partials.
 *
 * <p>The partition comes from the hash's bits reversed, so the keys one owner receives still spread
 * over its own hash table, which indexes by the low bits.
 *
 * <p>A partitioner of another {@code level} splits the same keys independently of level 0 (and of
 * each other): spilling uses levels 1, 2, ... to split one owner's keys, which all share their
 * level-0 partition.
 */
public final class HashPartitioner {
  private final int partitions;
  private final int level;

  public HashPartitioner(int partitions) {
    this(partitions, 0);
  }

  public HashPartitioner(int partitions, int level) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be positive, got " + partitions);
    }
    if (level < 0) {
      throw new IllegalArgumentException("level must not be negative, got " + level);
    }
    this.partitions = partitions;
    this.level = level;
  }

  public int partitions() {
    return partitions;
  }

  /** The partition of row {@code row} of {@code keys}. */
  public int partitionOf(List<FieldVector> keys, int row) {
    int hash = KeyColumns.hash(keys, row);
    return Integer.remainderUnsigned(level == 0 ? Integer.reverse(hash) : mix(hash), partitions);
  }

  /** The hash scrambled anew for this level (a murmur3 finalizer over hash and level). */
  private int mix(int hash) {
    int h = hash ^ (level * 0x9E3779B9);
    h ^= h >>> 16;
    h *= 0x85EBCA6B;
    h ^= h >>> 13;
    h *= 0xC2B2AE35;
    h ^= h >>> 16;
    return h;
  }

  /**
   * The rows of each partition: element {@code p} lists, in order, the rows {@code [0, rows)} of
   * {@code keys} that belong to partition {@code p}.
   */
  public int[][] assign(List<FieldVector> keys, int rows) {
    int[] partitionOfRow = new int[rows];
    int[] counts = new int[partitions];
    for (int r = 0; r < rows; r++) {
      int p = partitions == 1 ? 0 : partitionOf(keys, r);
      partitionOfRow[r] = p;
      counts[p]++;
    }
    int[][] rowsOf = new int[partitions][];
    for (int p = 0; p < partitions; p++) {
      rowsOf[p] = new int[counts[p]];
    }
    Arrays.fill(counts, 0);
    for (int r = 0; r < rows; r++) {
      int p = partitionOfRow[r];
      rowsOf[p][counts[p]++] = r;
    }
    return rowsOf;
  }

  /** The rows {@code 0, 1, ..., count - 1}: every row of a batch, in order. */
  public static int[] allRows(int count) {
    int[] rows = new int[count];
    for (int i = 0; i < count; i++) {
      rows[i] = i;
    }
    return rows;
  }

  /** Copies every row of {@code source} into a new root the caller owns. */
  public static VectorSchemaRoot copyAll(VectorSchemaRoot source, BufferAllocator allocator) {
    return copyRows(source, allRows(source.getRowCount()), 0, source.getRowCount(), allocator);
  }

  /**
   * Copies rows {@code rows[from, to)} of {@code source} into a new root of freshly allocated
   * vectors, as Flight's zero-copy write needs: once sent, its buffers must not be written again.
   *
   * @return a root the caller owns and closes
   */
  public static VectorSchemaRoot copyRows(
      VectorSchemaRoot source, int[] rows, int from, int to, BufferAllocator allocator) {
    VectorSchemaRoot target = VectorSchemaRoot.create(source.getSchema(), allocator);
    try {
      int count = to - from;
      for (int c = 0; c < source.getFieldVectors().size(); c++) {
        FieldVector in = source.getVector(c);
        FieldVector out = target.getVector(c);
        out.setInitialCapacity(count);
        out.allocateNew();
        for (int i = 0; i < count; i++) {
          out.copyFromSafe(rows[from + i], i, in);
        }
        out.setValueCount(count);
      }
      target.setRowCount(count);
      return target;
    } catch (RuntimeException e) {
      target.close();
      throw e;
    }
  }
}
