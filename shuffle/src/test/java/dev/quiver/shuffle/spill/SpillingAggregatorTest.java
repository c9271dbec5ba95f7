package dev.quiver.shuffle.spill;

import static dev.quiver.shuffle.aggregate.HashAggregatorTest.CALLS;
import static dev.quiver.shuffle.aggregate.HashAggregatorTest.D;
import static dev.quiver.shuffle.aggregate.HashAggregatorTest.K;
import static dev.quiver.shuffle.aggregate.HashAggregatorTest.S;
import static dev.quiver.shuffle.aggregate.HashAggregatorTest.SUM_D;
import static dev.quiver.shuffle.aggregate.HashAggregatorTest.V;
import static dev.quiver.shuffle.aggregate.HashAggregatorTest.generate;
import static dev.quiver.shuffle.aggregate.HashAggregatorTest.keyedDoubles;
import static dev.quiver.shuffle.aggregate.HashAggregatorTest.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.shuffle.aggregate.AggregateCall;
import dev.quiver.shuffle.aggregate.AggregateFunction;
import dev.quiver.shuffle.aggregate.AggregateLayout;
import dev.quiver.shuffle.aggregate.HashAggregator;
import dev.quiver.shuffle.memory.HeapBudget;
import dev.quiver.shuffle.memory.HeapReservationException;
import dev.quiver.shuffle.spill.SpillingAggregator.Input;
import dev.quiver.shuffle.spill.SpillingAggregator.Output;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpillingAggregatorTest {
  private static final AggregateLayout LAYOUT = new AggregateLayout(List.of(K, S), CALLS);

  @TempDir Path temp;
  private BufferAllocator allocator;
  private SpillSpace space;
  private final List<VectorSchemaRoot> input = new ArrayList<>();

  @BeforeEach
  void open() {
    allocator = new RootAllocator();
    space = new SpillSpace(temp.resolve("spill"), allocator);
    for (int b = 0; b < 8; b++) {
      input.add(generate(allocator, 25_000, 40_000, 100 + b));
    }
  }

  @AfterEach
  void closeCleanly() throws IOException {
    input.forEach(VectorSchemaRoot::close);
    assertThat(space.fileCount()).as("spill files left").isZero();
    space.close();
    assertThat(filesUnder(temp)).as("files left in the spill directory").isEmpty();
    assertThat(allocator.getAllocatedMemory()).as(allocator.toVerboseString()).isZero();
    allocator.close();
  }

  @Test
  void partialAggregationOverItsBudgetSpillsRunsThatMergeToTheInMemoryAnswer() {
    List<VectorSchemaRoot> partials = new ArrayList<>();
    try (SpillingAggregator partial =
        new SpillingAggregator(LAYOUT, Input.ROWS, allocator, 512 << 10, space, "q1")) {
      input.forEach(partial::add);
      assertThat(partial.spills()).isGreaterThan(1);
      assertThat(space.fileCount()).as("one run file").isEqualTo(1);
      try (BatchSource out = partial.finish(Output.PARTIALS)) {
        VectorSchemaRoot batch;
        while ((batch = out.next()) != null) {
          partials.add(batch);
        }
      }
    }
    try (HashAggregator merge = new HashAggregator(LAYOUT, allocator)) {
      partials.forEach(merge::addPartial);
      try (VectorSchemaRoot result = merge.takeResult()) {
        assertThat(rows(result)).isEqualTo(inMemoryAnswer());
      }
    } finally {
      partials.forEach(VectorSchemaRoot::close);
    }
    assertThat(space.bytesWritten()).isPositive();
  }

  @Test
  void mergeOverItsBudgetSpillsPartitionsAndFinishesEachGroupOnce() {
    try (SpillingAggregator merge =
        new SpillingAggregator(LAYOUT, Input.PARTIALS, allocator, 512 << 10, space, "q2")) {
      addAsPartials(merge);
      assertThat(merge.spills()).isGreaterThan(1);
      assertThat(space.fileCount()).isEqualTo(SpillingAggregator.PARTITIONS);
      assertThat(results(merge)).isEqualTo(inMemoryAnswer());
    }
  }

  @Test
  void aPartitionStillOverTheBudgetIsSplitAgainOneLevelDown() {
    // 64 KB holds a few thousand groups: each of the 16 partitions (~2,500 groups) spills again.
    try (SpillingAggregator merge =
        new SpillingAggregator(LAYOUT, Input.PARTIALS, allocator, 64 << 10, space, "q3")) {
      addAsPartials(merge);
      assertThat(results(merge)).isEqualTo(inMemoryAnswer());
    }
  }

  @Test
  void aBatchThatRunsTheAllocatorOutOfMemorySpillsAndIsAddedAgain() {
    // Fixed-width states only: moving them out to spill needs no new memory.
    AggregateLayout fixed =
        new AggregateLayout(
            List.of(K),
            List.of(
                new AggregateCall(AggregateFunction.COUNT_STAR, null, "rows"),
                new AggregateCall(AggregateFunction.SUM, V, "sum_v"),
                new AggregateCall(AggregateFunction.MAX, D, "max_d"),
                new AggregateCall(AggregateFunction.AVG, V, "avg_v")));
    for (int b = 0; b < 8; b++) {
      input.add(generate(allocator, 50_000, 1_000_000, 42 + b));
    }
    try (BufferAllocator limited = allocator.newChildAllocator("limited", 0, 8 << 20);
        SpillingAggregator merge =
            new SpillingAggregator(fixed, Input.PARTIALS, limited, Long.MAX_VALUE, space, "q4")) {
      addAsPartials(fixed, merge);
      assertThat(merge.spills()).as("spilled on running out of memory").isPositive();
      assertThat(results(merge, 4)).isEqualTo(inMemoryAnswer(fixed, 4));
    }
  }

  @Test
  void aHashTableWhoseHeapReservationIsRefusedSpillsAndGivesEveryByteBack() {
    // No Arrow limit and no byte budget: only the heap budget makes the merge spill (40,000 groups
    // take about 1.3 MB of hash arrays; a slice of 16K rows fits in 768 KB).
    try (HeapBudget heap = HeapBudget.root("test heap", 768 << 10);
        SpillingAggregator merge =
            new SpillingAggregator(
                LAYOUT, Input.PARTIALS, allocator, Long.MAX_VALUE, space, "q9", heap)) {
      addAsPartials(merge);
      assertThat(merge.spills()).as("spilled on a refused heap reservation").isPositive();
      assertThat(heap.reserved()).isPositive().isLessThanOrEqualTo(heap.limit());
      assertThat(results(merge)).isEqualTo(inMemoryAnswer());
      merge.close();
      assertThat(heap.reserved()).as("heap bytes still reserved").isZero();
    }
  }

  @Test
  void aHeapReservationBeyondTheBudgetOfAnEmptyAggregatorFailsAsOutOfMemory() {
    // Room for an empty table's arrays (24 KB), not for its first growth.
    try (HeapBudget heap = HeapBudget.root("test heap", 32 << 10);
        SpillingAggregator merge =
            new SpillingAggregator(
                LAYOUT, Input.PARTIALS, allocator, Long.MAX_VALUE, space, "q10", heap)) {
      assertThatThrownBy(() -> addAsPartials(merge))
          .isInstanceOf(HeapReservationException.class)
          .hasMessageContaining("test heap");
    }
  }

  @Test
  void doubleSumsByAnIntegerKeyBeyondTheAllocatorLimitSpillAndMergeToTheExactSums() {
    // SUM of a DOUBLE by a BIGINT key: each batch's known groups are folded in one pass, then new
    // groups the general way, until the state has to spill.
    AggregateLayout sums = new AggregateLayout(List.of(V), List.of(SUM_D));
    Map<List<Object>, List<Object>> expected = new HashMap<>();
    List<VectorSchemaRoot> batches = new ArrayList<>();
    for (int b = 0; b < 6; b++) {
      int rows = b == 0 ? 1_000 : 100_000;
      Long[] keys = new Long[rows];
      Double[] values = new Double[rows];
      for (int r = 0; r < rows; r++) {
        keys[r] = r < 1_000 ? r : 1_000_000_000L * (b * rows + r); // known, then new far apart
        values[r] = (r % 8) * 0.5; // exact sums in any order
        expected.merge(
            List.of(keys[r]),
            List.of(values[r]),
            (x, y) -> List.of((Double) x.get(0) + (Double) y.get(0)));
      }
      batches.add(keyedDoubles(allocator, keys, values));
    }
    input.addAll(batches);
    try (BufferAllocator limited = allocator.newChildAllocator("limited", 0, 4 << 20);
        SpillingAggregator partial =
            new SpillingAggregator(sums, Input.ROWS, limited, Long.MAX_VALUE, space, "q8")) {
      batches.forEach(partial::add);
      assertThat(partial.spills()).isPositive();
      try (BatchSource out = partial.finish(Output.PARTIALS);
          HashAggregator merge = new HashAggregator(sums, allocator)) {
        VectorSchemaRoot batch;
        while ((batch = out.next()) != null) {
          try (VectorSchemaRoot groups = batch) {
            merge.addPartial(groups);
          }
        }
        try (VectorSchemaRoot result = merge.takeResult()) {
          assertThat(rows(result, 1)).isEqualTo(expected);
        }
      }
    }
  }

  @Test
  void withinItsBudgetNothingIsSpilledAndTheOutputIsOneBatch() {
    try (SpillingAggregator merge =
        new SpillingAggregator(LAYOUT, Input.ROWS, allocator, 1L << 30, space, "q5")) {
      input.forEach(merge::add);
      assertThat(merge.spills()).isZero();
      try (BatchSource out = merge.finish(Output.RESULTS);
          VectorSchemaRoot only = out.next()) {
        assertThat(rows(only)).isEqualTo(inMemoryAnswer());
        assertThat(out.next()).isNull();
      }
    }
    assertThat(space.bytesWritten()).isZero();
  }

  @Test
  void closingBeforeTheOutputIsReadDeletesEverySpillFile() {
    try (SpillingAggregator merge =
        new SpillingAggregator(LAYOUT, Input.PARTIALS, allocator, 256 << 10, space, "q6")) {
      addAsPartials(merge);
      BatchSource out = merge.finish(Output.RESULTS);
      out.next().close();
      out.close();
    }
    assertThat(space.fileCount()).isZero();
  }

  @Test
  void anUnwritableSpillDirectoryFailsNamingIt() throws IOException {
    Path notADirectory = Files.writeString(temp.resolve("occupied"), "a file, not a directory");
    SpillSpace broken = new SpillSpace(notADirectory.resolve("spill"), allocator);
    try (SpillingAggregator merge =
        new SpillingAggregator(LAYOUT, Input.ROWS, allocator, 1, broken, "q7")) {
      assertThatThrownBy(() -> merge.add(input.get(0)))
          .isInstanceOf(SpillException.class)
          .hasMessageContaining(notADirectory.resolve("spill").toString());
    }
    broken.close();
  }

  /** Feeds the input as the partials of one aggregator per batch, as owners receive them. */
  private void addAsPartials(SpillingAggregator merge) {
    addAsPartials(LAYOUT, merge);
  }

  private void addAsPartials(AggregateLayout layout, SpillingAggregator merge) {
    for (VectorSchemaRoot batch : input) {
      try (HashAggregator partial = new HashAggregator(layout, allocator)) {
        partial.addInput(batch);
        try (VectorSchemaRoot groups = partial.takePartial()) {
          merge.add(groups);
        }
      }
    }
  }

  /** Every result batch's groups, checking that no group comes out twice. */
  private static Map<List<Object>, List<Object>> results(SpillingAggregator merge) {
    return results(merge, CALLS.size());
  }

  private static Map<List<Object>, List<Object>> results(SpillingAggregator merge, int calls) {
    Map<List<Object>, List<Object>> all = new HashMap<>();
    try (BatchSource out = merge.finish(Output.RESULTS)) {
      for (VectorSchemaRoot batch = out.next(); batch != null; batch = out.next()) {
        try {
          rows(batch, calls)
              .forEach(
                  (key, values) ->
                      assertThat(all.put(key, values)).as("group %s twice", key).isNull());
        } finally {
          batch.close();
        }
      }
    }
    return all;
  }

  /** The answer of one aggregator over all the input, in memory. */
  private Map<List<Object>, List<Object>> inMemoryAnswer() {
    return inMemoryAnswer(LAYOUT, CALLS.size());
  }

  private Map<List<Object>, List<Object>> inMemoryAnswer(AggregateLayout layout, int calls) {
    try (HashAggregator all = new HashAggregator(layout, allocator)) {
      input.forEach(all::addInput);
      try (VectorSchemaRoot result = all.takeResult()) {
        return rows(result, calls);
      }
    }
  }

  private static List<Path> filesUnder(Path directory) throws IOException {
    try (Stream<Path> files = Files.walk(directory)) {
      return files.filter(Files::isRegularFile).filter(f -> !f.endsWith("occupied")).toList();
    }
  }
}
