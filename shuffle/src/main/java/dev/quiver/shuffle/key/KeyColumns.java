package dev.quiver.shuffle.key;

import java.util.List;
import org.apache.arrow.memory.util.ByteFunctionHelpers;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * Hash and equality of a row's group key, computed from the vectors' buffers without boxing.
 *
 * <p>The hash depends only on the key's bytes, so every process computes the same hash for the same
 * key: the partitioner uses it to pick a key's owning peer and the hash table to find its group.
 * NULL is a key like any other value (all NULLs are one group). Floating-point keys compare by
 * their bits, so {@code 0.0} and {@code -0.0} are two groups.
 */
public final class KeyColumns {
  private static final int NULL_HASH = 0x5bd1e995;

  private KeyColumns() {}

  /** Whether a vector of this type can be a group key. */
  public static boolean isSupported(ArrowType type) {
    return type instanceof ArrowType.Int
        || type instanceof ArrowType.FloatingPoint
        || type instanceof ArrowType.Decimal
        || type instanceof ArrowType.Date
        || type instanceof ArrowType.Time
        || type instanceof ArrowType.Timestamp
        || type instanceof ArrowType.Bool
        || type instanceof ArrowType.Utf8
        || type instanceof ArrowType.Binary
        || type instanceof ArrowType.FixedSizeBinary;
  }

  /** The hash of row {@code row} over all {@code keys}, well mixed in all 32 bits. */
  public static int hash(List<FieldVector> keys, int row) {
    int hash = 0;
    for (int k = 0; k < keys.size(); k++) {
      hash = hash * 31 + hashOne(keys.get(k), row);
    }
    return mix(hash);
  }

  /** Whether row {@code i} of {@code left} and row {@code j} of {@code right} hold the same key. */
  public static boolean equal(List<FieldVector> left, int i, List<FieldVector> right, int j) {
    for (int k = 0; k < left.size(); k++) {
      if (!equalOne(left.get(k), i, right.get(k), j)) {
        return false;
      }
    }
    return true;
  }

  private static int hashOne(FieldVector vector, int row) {
    if (vector.isNull(row)) {
      return NULL_HASH;
    }
    if (vector instanceof BitVector bits) {
      return bits.get(row) + 1;
    }
    if (vector instanceof BaseFixedWidthVector fixed) {
      int width = fixed.getTypeWidth();
      if (width == 8) {
        return hashOfLong(fixed.getDataBuffer().getLong(row * 8L));
      }
      if (width == 4) {
        return fixed.getDataBuffer().getInt(row * 4L) * 0x9E3779B9;
      }
    }
    return vector.hashCode(row);
  }

  private static boolean equalOne(FieldVector a, int i, FieldVector b, int j) {
    boolean aNull = a.isNull(i);
    boolean bNull = b.isNull(j);
    if (aNull || bNull) {
      return aNull && bNull;
    }
    if (a instanceof BitVector x) {
      return x.get(i) == ((BitVector) b).get(j);
    }
    if (a instanceof BaseFixedWidthVector x) {
      long width = x.getTypeWidth();
      if (width == 8) {
        return x.getDataBuffer().getLong(i * 8L) == b.getDataBuffer().getLong(j * 8L);
      }
      if (width == 4) {
        return x.getDataBuffer().getInt(i * 4L) == b.getDataBuffer().getInt(j * 4L);
      }
      return ByteFunctionHelpers.equal(
              x.getDataBuffer(),
              i * width,
              (i + 1) * width,
              b.getDataBuffer(),
              j * width,
              (j + 1) * width)
          != 0;
    }
    if (a instanceof BaseVariableWidthVector x) {
      BaseVariableWidthVector y = (BaseVariableWidthVector) b;
      return ByteFunctionHelpers.equal(
              x.getDataBuffer(),
              x.getStartOffset(i),
              x.getStartOffset(i + 1),
              y.getDataBuffer(),
              y.getStartOffset(j),
              y.getStartOffset(j + 1))
          != 0;
    }
    throw new IllegalArgumentException("Cannot group by " + a.getField());
  }

  /** The hash of an 8-byte key value within a key row, before {@link #hashOfSingle} mixing. */
  private static int hashOfLong(long value) {
    return Long.hashCode(value * 0x9E3779B97F4A7C15L);
  }

  /** What {@link #hash} gives for a key of one non-null 8-byte value. */
  public static int hashOfSingleLong(long value) {
    return mix(hashOfLong(value));
  }

  /** Murmur3's finalizer: spreads every input bit over the whole hash. */
  private static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
