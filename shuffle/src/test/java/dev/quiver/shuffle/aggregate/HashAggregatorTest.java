package dev.quiver.shuffle.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.shuffle.partition.HashPartitioner;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.BinaryOperator;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.Text;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Also the fixtures (input, expected groups) of the spilling aggregator's tests. */
public class HashAggregatorTest {
  public static final Field K = Field.nullable("k", new ArrowType.Int(32, true));
  public static final Field S = Field.nullable("s", ArrowType.Utf8.INSTANCE);
  public static final Field V = Field.nullable("v", new ArrowType.Int(64, true));
  public static final Field D =
      Field.nullable("d", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE));
  private static final Field M = Field.nullable("m", new ArrowType.Decimal(10, 2, 128));
  private static final Field T =
      Field.nullable("t", new ArrowType.Date(org.apache.arrow.vector.types.DateUnit.DAY));
  public static final Schema INPUT = new Schema(List.of(K, S, V, D, M, T));

  public static final List<AggregateCall> CALLS =
      List.of(
          new AggregateCall(AggregateFunction.COUNT_STAR, null, "rows"),
          new AggregateCall(AggregateFunction.COUNT, V, "count_v"),
          new AggregateCall(AggregateFunction.SUM, V, "sum_v"),
          new AggregateCall(AggregateFunction.SUM, M, "sum_m"),
          new AggregateCall(AggregateFunction.MIN, T, "min_t"),
          new AggregateCall(AggregateFunction.MAX, S, "max_s"),
          new AggregateCall(AggregateFunction.MIN, M, "min_m"),
          new AggregateCall(AggregateFunction.MAX, D, "max_d"),
          new AggregateCall(AggregateFunction.AVG, V, "avg_v"));

  private BufferAllocator allocator;

  @BeforeEach
  void open() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void closeCleanly() {
    assertThat(allocator.getAllocatedMemory()).as(allocator.toVerboseString()).isZero();
    allocator.close();
  }

  @Test
  void oneAggregatorGroupsEveryKeyIncludingNull() {
    AggregateLayout layout = new AggregateLayout(List.of(K, S), CALLS);
    try (VectorSchemaRoot input = generate(allocator, 20_000, 50, 7);
        HashAggregator aggregator = new HashAggregator(layout, allocator)) {
      aggregator.addInput(input);
      try (VectorSchemaRoot result = aggregator.takeResult()) {
        assertThat(rows(result)).isEqualTo(expected(input, 2));
        assertThat(result.getSchema()).isEqualTo(layout.resultSchema());
      }
    }
  }

  @Test
  void integerKeysGroupTheSameWhetherLookedUpByValueOrByHash() {
    // An empty batch, dense keys (looked up by value), an empty batch again, keys beyond them from
    // the middle of a batch and keys below them (the lookup widens), a null key (the general
    // path), then keys far apart (the lookup by value stops, the hash table goes on).
    long[][] batches = {
      {},
      {5, 6, 7, 5, 1_000, 6},
      {},
      {6, 7, 1_001, 5, -3, 1_001},
      {-20, 5, 999, -20},
      {7, Long.MIN_VALUE},
      {3, 4_000_000_000L, 5, Long.MAX_VALUE, -20, 4_000_000_000L},
      {5, 6, 7}
    };
    assertSumsAndCountsByKey(batches, 5, 1);
  }

  @Test
  void keysFoundByHashWhileTooSparseAreTheSameGroupsOnceLookedUpByValue() {
    // Two keys 200,000 apart are too few for a lookup by value over that range: they go to the
    // hash table. A dense batch over the range then turns the lookup by value on, which must know
    // both; a null key after that goes the general way, which must know the dense batch's keys.
    long[] dense = new long[200_001];
    for (int i = 0; i < dense.length; i++) {
      dense[i] = 200_000 - i;
    }
    long[][] batches = {{0, 200_000}, dense, {7, 0, 200_000, 7}, {199_999, 5}};
    assertSumsAndCountsByKey(batches, 2, 3);
  }

  /**
   * Sums row numbers (+1) and counts rows by key over {@code batches}, the key of row {@code
   * nullRow} of batch {@code nullBatch} being null, and checks the result against a map's.
   */
  private void assertSumsAndCountsByKey(long[][] batches, int nullBatch, int nullRow) {
    Field key = Field.nullable("key", new ArrowType.Int(64, true));
    Field value = Field.nullable("value", new ArrowType.Int(64, true));
    Schema schema = new Schema(List.of(key, value));
    AggregateLayout layout =
        new AggregateLayout(
            List.of(key),
            List.of(
                new AggregateCall(AggregateFunction.SUM, value, "sum"),
                new AggregateCall(AggregateFunction.COUNT_STAR, null, "rows")));
    Map<Long, long[]> expected = new HashMap<>();
    try (HashAggregator aggregator = new HashAggregator(layout, allocator)) {
      for (int b = 0; b < batches.length; b++) {
        try (VectorSchemaRoot batch = VectorSchemaRoot.create(schema, allocator)) {
          BigIntVector keys = (BigIntVector) batch.getVector(0);
          BigIntVector values = (BigIntVector) batch.getVector(1);
          for (int r = 0; r < batches[b].length; r++) {
            boolean isNull = b == nullBatch && r == nullRow;
            if (isNull) {
              keys.setNull(r);
            } else {
              keys.setSafe(r, batches[b][r]);
            }
            values.setSafe(r, r + 1);
            long[] group =
                expected.computeIfAbsent(isNull ? null : batches[b][r], k -> new long[2]);
            group[0] += r + 1;
            group[1]++;
          }
          batch.setRowCount(batches[b].length);
          aggregator.addInput(batch);
        }
      }
      try (VectorSchemaRoot result = aggregator.takeResult()) {
        Map<Long, long[]> actual = new HashMap<>();
        for (int r = 0; r < result.getRowCount(); r++) {
          Long k = (Long) result.getVector(0).getObject(r);
          assertThat(actual).doesNotContainKey(k);
          actual.put(
              k,
              new long[] {
                ((Number) result.getVector(1).getObject(r)).longValue(),
                ((Number) result.getVector(2).getObject(r)).longValue()
              });
        }
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        expected.forEach((k, sums) -> assertThat(actual.get(k)).as("group %s", k).isEqualTo(sums));
      }
    }
  }

  @Test
  void partialsOfThreePeersShuffledToTwoOwnersGiveTheSameResult() {
    AggregateLayout layout = new AggregateLayout(List.of(K), CALLS);
    HashPartitioner partitioner = new HashPartitioner(2);
    try (VectorSchemaRoot input = generate(allocator, 30_000, 2_000, 11);
        HashAggregator owner0 = new HashAggregator(layout, allocator);
        HashAggregator owner1 = new HashAggregator(layout, allocator)) {
      List<HashAggregator> owners = List.of(owner0, owner1);
      for (int peer = 0; peer < 3; peer++) {
        try (VectorSchemaRoot slice = input.slice(peer * 10_000, 10_000);
            HashAggregator partialAggregator = new HashAggregator(layout, allocator);
            VectorSchemaRoot partial = takePartial(partialAggregator, slice)) {
          int[][] rowsOf =
              partitioner.assign(partial.getFieldVectors().subList(0, 1), partial.getRowCount());
          for (int p = 0; p < 2; p++) {
            // Batches of at most 500 rows, as they would cross the wire.
            for (int from = 0; from < rowsOf[p].length; from += 500) {
              int to = Math.min(rowsOf[p].length, from + 500);
              try (VectorSchemaRoot batch =
                  HashPartitioner.copyRows(partial, rowsOf[p], from, to, allocator)) {
                owners.get(p).addPartial(batch);
              }
            }
          }
        }
      }
      Map<List<Object>, List<Object>> merged = new HashMap<>();
      for (HashAggregator owner : owners) {
        try (VectorSchemaRoot result = owner.takeResult()) {
          Map<List<Object>, List<Object>> part = rows(result);
          assertThat(merged.keySet()).doesNotContainAnyElementsOf(part.keySet());
          merged.putAll(part);
        }
      }
      assertThat(merged).isEqualTo(expected(input, 1));
    }
  }

  @Test
  void globalAggregateOfNoRowsIsOneRowOfZeroCountsAndNulls() {
    AggregateLayout layout = new AggregateLayout(List.of(), CALLS);
    try (VectorSchemaRoot input = generate(allocator, 0, 1, 1);
        HashAggregator aggregator = new HashAggregator(layout, allocator)) {
      aggregator.addInput(input);
      try (VectorSchemaRoot result = aggregator.takeResult()) {
        assertThat(result.getRowCount()).isEqualTo(1);
        assertThat(result.getVector("rows").getObject(0)).isEqualTo(0L);
        assertThat(result.getVector("count_v").getObject(0)).isEqualTo(0L);
        assertThat(result.getVector("sum_v").isNull(0)).isTrue();
        assertThat(result.getVector("avg_v").isNull(0)).isTrue();
        assertThat(result.getVector("max_s").isNull(0)).isTrue();
      }
    }
  }

  @Test
  void bigintKeyZeroAndNullStayTwoGroupsAcrossBatchesWithAndWithoutNulls() {
    AggregateLayout layout =
        new AggregateLayout(
            List.of(V), List.of(new AggregateCall(AggregateFunction.COUNT_STAR, null, "n")));
    try (VectorSchemaRoot withNulls = VectorSchemaRoot.create(new Schema(List.of(V)), allocator);
        VectorSchemaRoot withoutNulls = VectorSchemaRoot.create(new Schema(List.of(V)), allocator);
        HashAggregator aggregator = new HashAggregator(layout, allocator)) {
      BigIntVector a = (BigIntVector) withNulls.getVector(0);
      a.allocateNew(3);
      a.setNull(0);
      a.set(1, 0);
      a.set(2, 7);
      withNulls.setRowCount(3);
      BigIntVector b = (BigIntVector) withoutNulls.getVector(0);
      b.allocateNew(3);
      b.set(0, 0);
      b.set(1, 7);
      b.set(2, 8);
      withoutNulls.setRowCount(3);
      aggregator.addInput(withNulls);
      aggregator.addInput(withoutNulls);
      aggregator.addInput(withNulls);
      try (VectorSchemaRoot result = aggregator.takeResult()) {
        Map<Object, Object> counts = new HashMap<>();
        for (int r = 0; r < result.getRowCount(); r++) {
          counts.put(result.getVector(0).getObject(r), result.getVector(1).getObject(r));
        }
        Map<Object, Object> expected = new HashMap<>();
        expected.put(null, 2L);
        expected.put(0L, 3L);
        expected.put(7L, 3L);
        expected.put(8L, 1L);
        assertThat(counts).isEqualTo(expected);
      }
    }
  }

  @Test
  void integerSumBeyondBigintIsAnErrorNamingTheAggregate() {
    AggregateLayout layout =
        new AggregateLayout(List.of(), List.of(new AggregateCall(AggregateFunction.SUM, V, "s")));
    try (VectorSchemaRoot input = VectorSchemaRoot.create(new Schema(List.of(V)), allocator);
        HashAggregator aggregator = new HashAggregator(layout, allocator)) {
      BigIntVector v = (BigIntVector) input.getVector(0);
      v.allocateNew(2);
      v.set(0, Long.MAX_VALUE);
      v.set(1, 1);
      input.setRowCount(2);
      assertThatThrownBy(() -> aggregator.addInput(input))
          .isInstanceOf(AggregateOverflowException.class)
          .hasMessage("SUM(v) overflows BIGINT");
    }
  }

  @Test
  void doubleSumsByAnIntegerKeyAreTheSameWhetherFoldedInOnePassOrTheGeneralWay() {
    AggregateLayout layout = new AggregateLayout(List.of(V), List.of(SUM_D));
    // The first batch makes the groups (the general way); then every key known (one pass), known
    // keys then a new one mid-batch (one pass up to it, the rest the general way), a null key, a
    // null value, a key far outside the directly looked-up ones, and known keys again.
    Long[][] keys = {
      {1L, 2L, 3L, 4L, 1L},
      {4L, 3L, 2L, 1L, 1L, 2L},
      {2L, 3L, 9L, 2L, 10L, 1L},
      {1L, null, 2L},
      {3L, 4L, 9L},
      {5L, 1L << 40, 5L, 10L},
      {1L, 2L, 3L, 4L, 9L, 10L, 5L}
    };
    Map<Long, Double> expected = new HashMap<>();
    try (HashAggregator aggregator = new HashAggregator(layout, allocator)) {
      for (int b = 0; b < keys.length; b++) {
        Double[] values = new Double[keys[b].length];
        for (int r = 0; r < values.length; r++) {
          values[r] = b == 4 && r == 1 ? null : b + r * 0.25;
          if (values[r] != null) {
            expected.merge(keys[b][r], values[r], Double::sum);
          }
        }
        try (VectorSchemaRoot batch = keyedDoubles(allocator, keys[b], values)) {
          aggregator.addInput(batch);
        }
      }
      try (VectorSchemaRoot result = aggregator.takeResult()) {
        assertThat(doubleSumsByKey(result)).isEqualTo(expected);
      }
    }
  }

  @Test
  void doubleSumsOfGroupsFirstSeenWithOnlyNullsStayNullUntilTheirFirstValueFoldedInOnePass() {
    AggregateLayout layout = new AggregateLayout(List.of(V), List.of(SUM_D));
    // Batch 0 makes 20 groups, three of them (keys 3, 11, 17) with a null value only: their sums
    // are null. Then batches without nulls over the known keys but 17 take the one-pass fold,
    // which skips reading the validity of groups known to have a sum: 3 and 11 must get theirs
    // from their first value, and 17 must stay null.
    Long[][] keys = new Long[4][];
    keys[0] = new Long[20];
    for (int k = 0; k < 20; k++) {
      keys[0][k] = (long) k;
    }
    List<Long> allBut17 = new ArrayList<>();
    for (long k = 0; k < 20; k++) {
      if (k != 17) {
        allBut17.add(k);
      }
    }
    keys[1] = allBut17.toArray(Long[]::new);
    List<Long> reversed = new ArrayList<>(allBut17);
    java.util.Collections.reverse(reversed);
    keys[2] = reversed.toArray(Long[]::new);
    keys[3] = new Long[] {11L, 3L, 11L, 0L};
    Map<Long, Double> expected = new HashMap<>();
    try (HashAggregator aggregator = new HashAggregator(layout, allocator)) {
      for (int b = 0; b < keys.length; b++) {
        Double[] values = new Double[keys[b].length];
        for (int r = 0; r < values.length; r++) {
          long key = keys[b][r];
          boolean onlyNull = b == 0 && (key == 3 || key == 11 || key == 17);
          values[r] = onlyNull ? null : b + r * 0.25;
          expected.putIfAbsent(key, null);
          if (values[r] != null) {
            expected.merge(key, values[r], Double::sum);
          }
        }
        try (VectorSchemaRoot batch = keyedDoubles(allocator, keys[b], values)) {
          aggregator.addInput(batch);
        }
      }
      try (VectorSchemaRoot result = aggregator.takeResult()) {
        Map<Long, Double> actual = doubleSumsByKey(result);
        assertThat(actual).hasSize(20).isEqualTo(expected).containsEntry(17L, null);
        assertThat(actual.get(3L)).isEqualTo(1 + 3 * 0.25 + 2 + 15 * 0.25 + 3 + 0.25);
      }
    }
  }

  /** A result of a BIGINT key and a DOUBLE sum as a map, null sums included. */
  private static Map<Long, Double> doubleSumsByKey(VectorSchemaRoot result) {
    Map<Long, Double> sums = new HashMap<>();
    for (int r = 0; r < result.getRowCount(); r++) {
      sums.put((Long) result.getVector(0).getObject(r), (Double) result.getVector(1).getObject(r));
    }
    return sums;
  }

  @Test
  void aBatchOutOfMemoryAfterItsKnownGroupsSaysHowManyOfItsRowsItTook() {
    AggregateLayout layout = new AggregateLayout(List.of(V), List.of(SUM_D));
    Long[] known = new Long[100];
    Double[] ones = new Double[100];
    for (int r = 0; r < known.length; r++) {
      known[r] = (long) r;
      ones[r] = 1.0;
    }
    // 30 rows of known groups, then 200,000 new keys, too far apart to be looked up directly.
    Long[] mixed = new Long[200_030];
    Double[] twos = new Double[mixed.length];
    for (int r = 0; r < mixed.length; r++) {
      mixed[r] = r < 30 ? r : 1_000_000_000L * r;
      twos[r] = 2.0;
    }
    try (BufferAllocator limited = allocator.newChildAllocator("query-1", 0, 1 << 20);
        VectorSchemaRoot first = keyedDoubles(allocator, known, ones);
        VectorSchemaRoot second = keyedDoubles(allocator, mixed, twos);
        HashAggregator aggregator = new HashAggregator(layout, limited)) {
      aggregator.addInput(first);
      assertThat(aggregator.rowsTakenBeforeFailure()).isZero();

      assertThatThrownBy(() -> aggregator.addInput(second))
          .isInstanceOf(OutOfMemoryException.class);

      assertThat(aggregator.rowsTakenBeforeFailure()).isEqualTo(30);
      assertThat(aggregator.groupCount()).isEqualTo(100);
      try (VectorSchemaRoot partial = aggregator.takePartial()) {
        for (int r = 0; r < partial.getRowCount(); r++) {
          long key = (Long) partial.getVector(0).getObject(r);
          assertThat(partial.getVector(1).getObject(r))
              .as("group %s", key)
              .isEqualTo(key < 30 ? 3.0 : 1.0);
        }
      }
    }
  }

  @Test
  void groupsBeyondTheAllocatorLimitFailAndFreeEverything() {
    AggregateLayout layout = new AggregateLayout(List.of(K), CALLS);
    try (VectorSchemaRoot input = generate(allocator, 200_000, 1_000_000, 3);
        BufferAllocator limited = allocator.newChildAllocator("query-1", 0, 256 * 1024)) {
      assertThatThrownBy(
              () -> {
                try (HashAggregator aggregator = new HashAggregator(layout, limited)) {
                  aggregator.addInput(input);
                }
              })
          .isInstanceOf(OutOfMemoryException.class);
      assertThat(limited.getAllocatedMemory()).isZero();
    }
  }

  public static final AggregateCall SUM_D = new AggregateCall(AggregateFunction.SUM, D, "sum_d");

  /** A batch of columns v (BIGINT) and d (DOUBLE) from the values given, null where null. */
  public static VectorSchemaRoot keyedDoubles(
      BufferAllocator allocator, Long[] keys, Double[] values) {
    VectorSchemaRoot batch = VectorSchemaRoot.create(new Schema(List.of(V, D)), allocator);
    BigIntVector v = (BigIntVector) batch.getVector(0);
    Float8Vector d = (Float8Vector) batch.getVector(1);
    for (int r = 0; r < keys.length; r++) {
      if (keys[r] == null) {
        v.setNull(r);
      } else {
        v.setSafe(r, keys[r]);
      }
      if (values[r] == null) {
        d.setNull(r);
      } else {
        d.setSafe(r, values[r]);
      }
    }
    batch.setRowCount(keys.length);
    return batch;
  }

  private VectorSchemaRoot takePartial(HashAggregator aggregator, VectorSchemaRoot input) {
    aggregator.addInput(input);
    return aggregator.takePartial();
  }

  /** Rows with {@code keys} distinct values of k (some null), strings from a few values. */
  public static VectorSchemaRoot generate(
      BufferAllocator allocator, int rows, int keys, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    VectorSchemaRoot root = VectorSchemaRoot.create(INPUT, allocator);
    root.allocateNew();
    IntVector k = (IntVector) root.getVector("k");
    VarCharVector s = (VarCharVector) root.getVector("s");
    BigIntVector v = (BigIntVector) root.getVector("v");
    Float8Vector d = (Float8Vector) root.getVector("d");
    DecimalVector m = (DecimalVector) root.getVector("m");
    DateDayVector t = (DateDayVector) root.getVector("t");
    for (int r = 0; r < rows; r++) {
      if (random.nextInt(20) == 0) {
        k.setNull(r);
      } else {
        k.setSafe(r, random.nextInt(keys));
      }
      if (random.nextInt(10) == 0) {
        s.setNull(r);
      } else {
        s.setSafe(r, ("s" + random.nextInt(5) + "é").getBytes(StandardCharsets.UTF_8));
      }
      if (random.nextInt(4) == 0) {
        v.setNull(r);
      } else {
        v.setSafe(r, random.nextLong(-1_000_000_000L, 1_000_000_000L));
      }
      d.setSafe(r, random.nextDouble(-100, 100));
      m.setSafe(r, BigDecimal.valueOf(random.nextLong(-99_999_999L, 99_999_999L), 2));
      t.setSafe(r, random.nextInt(-1000, 20_000));
    }
    root.setRowCount(rows);
    return root;
  }

  /** Each result row as key list to value list; doubles rounded to 9 significant digits. */
  public static Map<List<Object>, List<Object>> rows(VectorSchemaRoot result) {
    return rows(result, CALLS.size());
  }

  /** As {@link #rows(VectorSchemaRoot)}, for a result of {@code calls} aggregates. */
  public static Map<List<Object>, List<Object>> rows(VectorSchemaRoot result, int calls) {
    int keys = result.getFieldVectors().size() - calls;
    Map<List<Object>, List<Object>> rows = new HashMap<>();
    for (int r = 0; r < result.getRowCount(); r++) {
      List<Object> key = new ArrayList<>();
      List<Object> values = new ArrayList<>();
      for (int c = 0; c < result.getFieldVectors().size(); c++) {
        Object value = canonical(result.getVector(c).getObject(r));
        (c < keys ? key : values).add(value);
      }
      assertThat(rows.put(key, values)).as("group %s appears twice", key).isNull();
    }
    return rows;
  }

  /** The expected result, computed row by row with plain Java values. */
  public static Map<List<Object>, List<Object>> expected(VectorSchemaRoot input, int keyCount) {
    Map<List<Object>, Object[]> state = new HashMap<>();
    for (int r = 0; r < input.getRowCount(); r++) {
      List<Object> key = new ArrayList<>();
      for (int c = 0; c < keyCount; c++) {
        key.add(canonical(input.getVector(c).getObject(r)));
      }
      Object[] s =
          state.computeIfAbsent(
              key, x -> new Object[] {0L, 0L, null, null, null, null, null, null, 0L});
      Long v = (Long) input.getVector("v").getObject(r);
      s[0] = (Long) s[0] + 1;
      if (v != null) {
        s[1] = (Long) s[1] + 1;
        s[2] = s[2] == null ? v : (Long) s[2] + v;
      }
      s[3] =
          combine(
              s[3],
              input.getVector("m").getObject(r),
              (a, b) -> ((BigDecimal) a).add((BigDecimal) b));
      s[4] =
          combine(
              s[4],
              input.getVector("t").getObject(r),
              (a, b) -> ((Integer) a) <= (Integer) b ? a : b);
      Object str = canonical(input.getVector("s").getObject(r));
      s[5] = combine(s[5], str, (a, b) -> ((String) a).compareTo((String) b) >= 0 ? a : b);
      s[6] =
          combine(
              s[6],
              input.getVector("m").getObject(r),
              (a, b) -> ((BigDecimal) a).min((BigDecimal) b));
      s[7] =
          combine(
              s[7], input.getVector("d").getObject(r), (a, b) -> Math.max((Double) a, (Double) b));
    }
    Map<List<Object>, List<Object>> expected = new HashMap<>();
    state.forEach(
        (key, s) -> {
          Double avg = s[2] == null ? null : ((Long) s[2]).doubleValue() / (Long) s[1];
          expected.put(
              key,
              Arrays.asList(
                  s[0], s[1], s[2], s[3], s[4], s[5], s[6], canonical(s[7]), canonical(avg)));
        });
    return expected;
  }

  private static Object combine(Object current, Object value, BinaryOperator<Object> with) {
    if (value == null) {
      return current;
    }
    return current == null ? value : with.apply(current, value);
  }

  private static Object canonical(Object value) {
    if (value instanceof Text text) {
      return text.toString();
    }
    if (value instanceof Double d) {
      return new BigDecimal(d).round(new java.math.MathContext(9)).doubleValue();
    }
    if (value instanceof java.time.LocalDateTime || value instanceof Integer || value == null) {
      return value;
    }
    return Objects.requireNonNull(value);
  }
}
