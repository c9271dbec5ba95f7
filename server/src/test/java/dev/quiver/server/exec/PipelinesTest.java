package dev.quiver.server.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.parquet.dataset.DataFile;
import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.parquet.dataset.DatasetLoader;
import dev.quiver.parquet.scan.FileSplit;
import dev.quiver.server.DuckDb;
import dev.quiver.server.catalog.Catalog;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.sql.AggregatePlan;
import dev.quiver.server.sql.Pipelines;
import dev.quiver.server.sql.QueryPlanner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operators composed as a node composes them, over DuckDB-written Parquet: what they answer, and
 * that they free everything they hold however the pipeline ends.
 */
class PipelinesTest {
  @TempDir static Path data;
  static DuckDb duckdb;
  static Dataset dataset;
  static QueryPlanner planner;

  private BufferAllocator allocator;

  @BeforeAll
  static void writeData() {
    duckdb = new DuckDb();
    for (int part = 0; part < 2; part++) {
      duckdb.writeParquet(
          """
          SELECT i AS id, CASE WHEN i %% 9 = 0 THEN NULL ELSE i %% 50 END AS k
          FROM range(%d, %d) t(i)
          """
              .formatted(part * 40_000, (part + 1) * 40_000),
          data.resolve("part-" + part + ".parquet"),
          "ROW_GROUP_SIZE 5000");
    }
    dataset = DatasetLoader.load("t", data.toString());
    planner = new QueryPlanner(new Catalog(List.of(dataset)));
  }

  @AfterAll
  static void stopDuckDb() throws Exception {
    duckdb.close();
  }

  @BeforeEach
  void allocate() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void everythingWasFreed() {
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  @Test
  void partialAggregatesOfSeparateSplitsMergeIntoDuckDbsAnswer() {
    AggregatePlan plan =
        (AggregatePlan)
            planner.plan("SELECT k, SUM(id), COUNT(*) FROM t WHERE id % 3 <> 1 GROUP BY k");
    List<FileSplit> splits = splits(20_000);
    assertThat(splits).hasSizeGreaterThan(2);
    ExecutionContext context = context(() -> {});
    List<Operator> partials = new ArrayList<>();
    int half = splits.size() / 2;
    partials.add(Pipelines.partialAggregate(plan, splits.subList(0, half).iterator(), context));
    partials.add(
        Pipelines.partialAggregate(plan, splits.subList(half, splits.size()).iterator(), context));

    TreeMap<String, String> groups = new TreeMap<>();
    try (Operator merged =
        FinalAggregateOperator.of(
            ConcatOperator.of(plan.layout().partialSchema(), partials), plan.layout(), context)) {
      assertThat(merged.next()).isTrue();
      VectorSchemaRoot result = merged.root();
      for (int r = 0; r < result.getRowCount(); r++) {
        groups.put(
            String.valueOf(result.getVector(0).getObject(r)),
            result.getVector(1).getObject(r) + "|" + result.getVector(2).getObject(r));
      }
      assertThat(merged.next()).isFalse();
      assertThat(merged.statistics().rowGroupsRead())
          .isEqualTo(dataset.files().stream().mapToLong(f -> f.rowGroups().size()).sum());
    }

    TreeMap<String, String> expected = new TreeMap<>();
    for (List<Object> row :
        duckdb.query(
            "SELECT k, SUM(id), COUNT(*) FROM '"
                + data
                + "/*.parquet' WHERE id % 3 <> 1 GROUP BY k")) {
      expected.put(String.valueOf(row.get(0)), row.get(1) + "|" + row.get(2));
    }
    assertThat(groups).hasSize(51).isEqualTo(expected);
  }

  @Test
  void aCancelledQueryStopsItsPipelineWithCancelledAndFreesWhatItHeld() {
    AggregatePlan plan = (AggregatePlan) planner.plan("SELECT k, SUM(id) FROM t GROUP BY k");
    AtomicInteger batches = new AtomicInteger();
    ExecutionContext context =
        context(
            () -> {
              if (batches.incrementAndGet() > 3) {
                throw new QuiverException(ErrorCode.CANCELLED, "Query test was cancelled");
              }
            });

    try (Operator partial = Pipelines.partialAggregate(plan, splits(1).iterator(), context)) {
      assertThatThrownBy(partial::next)
          .isInstanceOf(QuiverException.class)
          .hasMessage("Query test was cancelled");
    }
  }

  @Test
  void aConcatenationClosesTheInputsItNeverRead() {
    Schema schema = new Schema(List.of(Field.nullable("n", new ArrowType.Int(64, true))));
    List<Operator> inputs = new ArrayList<>();
    for (int b = 0; b < 3; b++) {
      VectorSchemaRoot batch = VectorSchemaRoot.create(schema, allocator);
      ((BigIntVector) batch.getVector(0)).setSafe(0, b);
      batch.setRowCount(1);
      inputs.add(new BatchOperator(batch));
    }

    try (Operator concat = ConcatOperator.of(schema, inputs)) {
      assertThat(concat.next()).isTrue();
      assertThat(concat.root().getVector(0).getObject(0)).isEqualTo(0L);
      assertThat(allocator.getAllocatedMemory()).isPositive();
    }
  }

  private ExecutionContext context(Runnable cancellation) {
    return new ExecutionContext("test", allocator, cancellation, 4096, 1 << 20);
  }

  /** Every file of the dataset in splits of about {@code bytes} compressed bytes. */
  private static List<FileSplit> splits(long bytes) {
    List<FileSplit> splits = new ArrayList<>();
    for (DataFile file : dataset.files()) {
      splits.addAll(FileSplit.of(file, bytes));
    }
    return splits;
  }
}
