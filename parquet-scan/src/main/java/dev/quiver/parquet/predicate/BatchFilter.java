package dev.quiver.parquet.predicate;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeMilliVector;
import org.apache.arrow.vector.TimeNanoVector;
import org.apache.arrow.vector.TimeSecVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Evaluates a normalized {@link Predicate} over Arrow batches, vectorized: every node computes a
 * bitmask of the rows where it is TRUE, reading values straight from the vectors' buffers.
 *
 * <p>A filter is compiled once per scan for the schema of the batches it sees and is not
 * thread-safe.
 */
public final class BatchFilter {
  private final Node root;
  private long[] mask = new long[0];

  private BatchFilter(Node root) {
    this.root = root;
  }

  /**
   * Compiles a predicate for batches of {@code schema}.
   *
   * @param normalized see {@link Predicates#normalize}; every column it reads must be in the schema
   */
  public static BatchFilter compile(Predicate normalized, Schema schema) {
    return new BatchFilter(node(normalized, schema));
  }

  /**
   * Selects the rows of {@code batch} where the predicate is TRUE.
   *
   * @param selection receives the selected row indexes in order; at least the batch's row count
   *     long
   * @return how many rows were selected
   */
  public int select(VectorSchemaRoot batch, int[] selection) {
    int rows = batch.getRowCount();
    int words = (rows + 63) >>> 6;
    if (mask.length < words) {
      mask = new long[words];
    }
    Arrays.fill(mask, 0, words, 0L);
    root.evaluate(batch, rows, mask);
    int count = 0;
    for (int w = 0; w < words; w++) {
      long word = mask[w];
      while (word != 0) {
        int bit = Long.numberOfTrailingZeros(word);
        int row = (w << 6) + bit;
        if (row >= rows) {
          break;
        }
        selection[count++] = row;
        word &= word - 1;
      }
    }
    return count;
  }

  /**
   * Sets, in {@code mask}, the bits of the rows where the node is TRUE. Other bits are unchanged.
   */
  private interface Node {
    void evaluate(VectorSchemaRoot batch, int rows, long[] mask);
  }

  private static Node node(Predicate predicate, Schema schema) {
    if (predicate instanceof Constant constant) {
      boolean value = Boolean.TRUE.equals(constant.value());
      return (batch, rows, mask) -> {
        if (value) {
          setAll(mask, rows);
        }
      };
    }
    if (predicate instanceof And and) {
      List<Node> terms = and.terms().stream().map(t -> node(t, schema)).toList();
      return (batch, rows, mask) -> {
        long[] all = new long[mask.length];
        long[] scratch = new long[mask.length];
        terms.get(0).evaluate(batch, rows, all);
        for (int i = 1; i < terms.size(); i++) {
          Arrays.fill(scratch, 0L);
          terms.get(i).evaluate(batch, rows, scratch);
          for (int w = 0; w < mask.length; w++) {
            all[w] &= scratch[w];
          }
        }
        for (int w = 0; w < mask.length; w++) {
          mask[w] |= all[w];
        }
      };
    }
    if (predicate instanceof Or or) {
      List<Node> terms = or.terms().stream().map(t -> node(t, schema)).toList();
      return (batch, rows, mask) -> {
        for (Node term : terms) {
          term.evaluate(batch, rows, mask);
        }
      };
    }
    if (predicate instanceof Not not) {
      Node inner = node(not.term(), schema);
      String column = ((Leaf) not.term()).column();
      return (batch, rows, mask) -> {
        long[] scratch = new long[mask.length];
        inner.evaluate(batch, rows, scratch);
        for (int w = 0; w < mask.length; w++) {
          scratch[w] = ~scratch[w] & wordMask(w, rows);
        }
        andValidity(batch.getVector(column), rows, scratch);
        for (int w = 0; w < mask.length; w++) {
          mask[w] |= scratch[w];
        }
      };
    }
    String column = ((Leaf) predicate).column();
    ValueKind kind = ValueKind.of(schema.findField(column));
    if (predicate instanceof IsNull) {
      return (batch, rows, mask) -> {
        long[] valid = new long[mask.length];
        setAll(valid, rows);
        andValidity(batch.getVector(column), rows, valid);
        for (int w = 0; w < mask.length; w++) {
          mask[w] |= ~valid[w] & wordMask(w, rows);
        }
      };
    }
    Leaf leaf = (Leaf) predicate;
    return (batch, rows, mask) -> {
      long[] scratch = new long[mask.length];
      FieldVector vector = batch.getVector(column);
      evaluateLeaf(leaf, kind, vector, rows, scratch);
      andValidity(vector, rows, scratch);
      for (int w = 0; w < mask.length; w++) {
        mask[w] |= scratch[w];
      }
    };
  }

  private static void evaluateLeaf(
      Leaf leaf, ValueKind kind, FieldVector vector, int rows, long[] out) {
    LongValues longs = longValues(vector);
    if (longs != null && kind != ValueKind.DECIMAL) {
      boolean unsigned = vector instanceof UInt8Vector;
      if (leaf instanceof Comparison c) {
        compareLongs(
            longs, vector.getDataBuffer(), rows, c.operator(), asLong(c.value(), unsigned), out);
      } else {
        long[] values =
            ((InList) leaf)
                .values().stream().mapToLong(v -> asLong(v, unsigned)).sorted().toArray();
        ArrowBuf data = vector.getDataBuffer();
        for (int i = 0; i < rows; i++) {
          if (Arrays.binarySearch(values, longs.get(data, i)) >= 0) {
            set(out, i);
          }
        }
      }
      return;
    }
    if (vector instanceof Float8Vector || vector instanceof Float4Vector) {
      boolean single = vector instanceof Float4Vector;
      ArrowBuf data = vector.getDataBuffer();
      if (leaf instanceof Comparison c) {
        double k = (Double) c.value();
        ComparisonOperator op = c.operator();
        for (int i = 0; i < rows; i++) {
          double v = single ? data.getFloat((long) i << 2) : data.getDouble((long) i << 3);
          if (op.test(v < k ? -1 : v > k ? 1 : 0)) {
            set(out, i);
          }
        }
      } else {
        // Sorted for a binary search per row; NaN never matches and -0.0 equals 0.0, as `==`.
        double[] values =
            ((InList) leaf)
                .values().stream()
                    .mapToDouble(v -> (Double) v)
                    .filter(d -> !Double.isNaN(d))
                    .map(d -> d == 0.0 ? 0.0 : d)
                    .sorted()
                    .toArray();
        for (int i = 0; i < rows; i++) {
          double v = single ? data.getFloat((long) i << 2) : data.getDouble((long) i << 3);
          if (!Double.isNaN(v) && Arrays.binarySearch(values, v == 0.0 ? 0.0 : v) >= 0) {
            set(out, i);
          }
        }
      }
      return;
    }
    if (vector instanceof BaseVariableWidthVector strings && kind == ValueKind.STRING) {
      evaluateStrings(leaf, strings, rows, out);
      return;
    }
    if (vector instanceof DecimalVector decimals) {
      evaluateDecimals(leaf, decimals, rows, out);
      return;
    }
    evaluateObjects(leaf, vector, rows, out);
  }

  private static void compareLongs(
      LongValues longs, ArrowBuf data, int rows, ComparisonOperator op, long k, long[] out) {
    switch (op) {
      case EQ -> {
        for (int i = 0; i < rows; i++) {
          if (longs.get(data, i) == k) {
            set(out, i);
          }
        }
      }
      case NE -> {
        for (int i = 0; i < rows; i++) {
          if (longs.get(data, i) != k) {
            set(out, i);
          }
        }
      }
      case LT -> {
        for (int i = 0; i < rows; i++) {
          if (longs.get(data, i) < k) {
            set(out, i);
          }
        }
      }
      case LE -> {
        for (int i = 0; i < rows; i++) {
          if (longs.get(data, i) <= k) {
            set(out, i);
          }
        }
      }
      case GT -> {
        for (int i = 0; i < rows; i++) {
          if (longs.get(data, i) > k) {
            set(out, i);
          }
        }
      }
      case GE -> {
        for (int i = 0; i < rows; i++) {
          if (longs.get(data, i) >= k) {
            set(out, i);
          }
        }
      }
    }
  }

  private static void evaluateStrings(
      Leaf leaf, BaseVariableWidthVector vector, int rows, long[] out) {
    ArrowBuf offsets = vector.getOffsetBuffer();
    ArrowBuf data = vector.getDataBuffer();
    if (leaf instanceof Like like && !like.isPrefixPattern()) {
      Pattern regex = like.toRegex();
      for (int i = 0; i < rows; i++) {
        int start = offsets.getInt((long) i << 2);
        int end = offsets.getInt((long) (i + 1) << 2);
        byte[] bytes = new byte[end - start];
        data.getBytes(start, bytes);
        if (regex.matcher(new String(bytes, StandardCharsets.UTF_8)).matches()) {
          set(out, i);
        }
      }
      return;
    }
    if (leaf instanceof Like like) {
      byte[] prefix = like.prefix().getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < rows; i++) {
        int start = offsets.getInt((long) i << 2);
        int end = offsets.getInt((long) (i + 1) << 2);
        if (end - start >= prefix.length && compare(data, start, prefix.length, prefix) == 0) {
          set(out, i);
        }
      }
      return;
    }
    if (leaf instanceof Comparison c) {
      byte[] k = ((String) c.value()).getBytes(StandardCharsets.UTF_8);
      ComparisonOperator op = c.operator();
      for (int i = 0; i < rows; i++) {
        int start = offsets.getInt((long) i << 2);
        int length = offsets.getInt((long) (i + 1) << 2) - start;
        boolean pass;
        if (op == ComparisonOperator.EQ || op == ComparisonOperator.NE) {
          boolean equal = length == k.length && compare(data, start, length, k) == 0;
          pass = equal == (op == ComparisonOperator.EQ);
        } else {
          pass = op.test(compare(data, start, length, k));
        }
        if (pass) {
          set(out, i);
        }
      }
      return;
    }
    // A hash of each row's bytes finds the few list values it can equal: one lookup per row,
    // however long the list.
    Map<Long, List<byte[]>> byHash = new HashMap<>();
    for (Object value : ((InList) leaf).values()) {
      byte[] k = ((String) value).getBytes(StandardCharsets.UTF_8);
      byHash.computeIfAbsent(hash(k), h -> new ArrayList<>(1)).add(k);
    }
    for (int i = 0; i < rows; i++) {
      int start = offsets.getInt((long) i << 2);
      int length = offsets.getInt((long) (i + 1) << 2) - start;
      long h = HASH_SEED;
      for (int j = 0; j < length; j++) {
        h = 31 * h + data.getByte(start + j);
      }
      List<byte[]> candidates = byHash.get(h);
      if (candidates == null) {
        continue;
      }
      for (byte[] k : candidates) {
        if (length == k.length && compare(data, start, length, k) == 0) {
          set(out, i);
          break;
        }
      }
    }
  }

  private static final long HASH_SEED = 1_125_899_906_842_597L;

  private static long hash(byte[] bytes) {
    long h = HASH_SEED;
    for (byte b : bytes) {
      h = 31 * h + b;
    }
    return h;
  }

  /** Compares {@code length} bytes at {@code start} with {@code k}, unsigned, shorter first. */
  private static int compare(ArrowBuf data, long start, int length, byte[] k) {
    int common = Math.min(length, k.length);
    for (int j = 0; j < common; j++) {
      int a = data.getByte(start + j) & 0xFF;
      int b = k[j] & 0xFF;
      if (a != b) {
        return a - b;
      }
    }
    return Integer.compare(length, k.length);
  }

  private static void evaluateDecimals(Leaf leaf, DecimalVector vector, int rows, long[] out) {
    ArrowBuf data = vector.getDataBuffer();
    List<Object> values =
        leaf instanceof Comparison c ? List.of(c.value()) : ((InList) leaf).values();
    long[] highs = new long[values.size()];
    long[] lows = new long[values.size()];
    for (int j = 0; j < values.size(); j++) {
      java.math.BigInteger unscaled = ((BigDecimal) values.get(j)).unscaledValue();
      lows[j] = unscaled.longValue();
      highs[j] = unscaled.shiftRight(64).longValue();
    }
    ComparisonOperator op = leaf instanceof Comparison c ? c.operator() : ComparisonOperator.EQ;
    for (int i = 0; i < rows; i++) {
      long low = data.getLong((long) i << 4);
      long high = data.getLong(((long) i << 4) + 8);
      for (int j = 0; j < highs.length; j++) {
        int cmp =
            high != highs[j] ? Long.compare(high, highs[j]) : Long.compareUnsigned(low, lows[j]);
        if (op.test(cmp)) {
          set(out, i);
          break;
        }
      }
    }
  }

  /** Any other vector: through boxed values; slow, but exact. */
  private static void evaluateObjects(Leaf leaf, FieldVector vector, int rows, long[] out) {
    for (int i = 0; i < rows; i++) {
      if (vector.isNull(i)) {
        continue;
      }
      Object value = canonical(vector.getObject(i));
      if (Boolean.TRUE.equals(Predicates.evaluate((Predicate) leaf, value))) {
        set(out, i);
      }
    }
  }

  private static Object canonical(Object value) {
    if (value instanceof org.apache.arrow.vector.util.Text text) {
      return text.toString();
    }
    return value;
  }

  /** Reads a fixed-width vector's values as longs that order like the values. */
  private interface LongValues {
    long get(ArrowBuf data, int index);
  }

  private static LongValues longValues(FieldVector vector) {
    if (vector instanceof BigIntVector
        || vector instanceof TimeStampVector
        || vector instanceof DateMilliVector
        || vector instanceof TimeMicroVector
        || vector instanceof TimeNanoVector) {
      return (data, i) -> data.getLong((long) i << 3);
    }
    if (vector instanceof IntVector
        || vector instanceof DateDayVector
        || vector instanceof TimeSecVector
        || vector instanceof TimeMilliVector) {
      return (data, i) -> data.getInt((long) i << 2);
    }
    if (vector instanceof SmallIntVector) {
      return (data, i) -> data.getShort((long) i << 1);
    }
    if (vector instanceof TinyIntVector) {
      return (data, i) -> data.getByte(i);
    }
    if (vector instanceof UInt1Vector) {
      return (data, i) -> data.getByte(i) & 0xFFL;
    }
    if (vector instanceof UInt2Vector) {
      return (data, i) -> data.getShort((long) i << 1) & 0xFFFFL;
    }
    if (vector instanceof UInt4Vector) {
      return (data, i) -> data.getInt((long) i << 2) & 0xFFFF_FFFFL;
    }
    if (vector instanceof UInt8Vector) {
      return (data, i) -> data.getLong((long) i << 3) ^ Long.MIN_VALUE;
    }
    if (vector instanceof BitVector) {
      return (data, i) -> BitVectorHelper.get(data, i);
    }
    return null;
  }

  /**
   * A canonical value as a long ordered like {@link #longValues}.
   *
   * @param flipSign for UINT64, whose unsigned bits order like signed longs once the sign flips
   */
  private static long asLong(Object value, boolean flipSign) {
    if (value instanceof Boolean b) {
      return b ? 1 : 0;
    }
    long v = (Long) value;
    return flipSign ? v ^ Long.MIN_VALUE : v;
  }

  private static void andValidity(FieldVector vector, int rows, long[] mask) {
    if (vector.getNullCount() == 0) {
      return;
    }
    ArrowBuf validity = vector.getValidityBuffer();
    int words = (rows + 63) >>> 6;
    for (int w = 0; w < words; w++) {
      long byteIndex = (long) w << 3;
      long bits;
      if (byteIndex + 8 <= validity.capacity()) {
        bits = validity.getLong(byteIndex);
      } else {
        bits = 0;
        for (int b = 0; b < 8 && byteIndex + b < validity.capacity(); b++) {
          bits |= (validity.getByte(byteIndex + b) & 0xFFL) << (b << 3);
        }
      }
      mask[w] &= bits;
    }
  }

  private static void set(long[] mask, int row) {
    mask[row >>> 6] |= 1L << row;
  }

  private static void setAll(long[] mask, int rows) {
    int words = (rows + 63) >>> 6;
    for (int w = 0; w < words; w++) {
      mask[w] = wordMask(w, rows);
    }
  }

  private static long wordMask(int word, int rows) {
    int remaining = rows - (word << 6);
    return remaining >= 64 ? -1L : remaining <= 0 ? 0L : (1L << remaining) - 1;
  }
}
