package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.quiver.client.BatchStream;
import dev.quiver.client.QuiverClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Aggregations whose groups outgrow the query memory limit spill to disk and still answer exactly
 * (checked against DuckDB over the same files), on one node and across three; their spill files are
 * gone however the query ends, and a spill directory that cannot be written fails the query with a
 * message naming it. Every node's allocators close clean ({@link TestNode}).
 */
class SpillTest {
  private static final Duration BOUND = Duration.ofSeconds(60);

  /** 3M rows whose key repeats only below 100,000: 2.9M groups, 100,000 of them with 2 rows. */
  private static final String SQL =
      "SELECT k, SUM(a), COUNT(*) FROM t GROUP BY k HAVING COUNT(*) > 1";

  @TempDir static Path data;
  static DuckDb duckdb;
  static List<Path> parts = new ArrayList<>();
  static List<String> expected;

  @TempDir Path spill;

  @BeforeAll
  static void writeFiles() {
    duckdb = new DuckDb();
    for (int p = 0; p < 3; p++) {
      Path part = data.resolve("part-" + p);
      part.toFile().mkdirs();
      duckdb.writeParquet(
          "SELECT i % 2900000 AS k, i * 3 AS a FROM range("
              + p * 1_000_000
              + ", "
              + (p + 1) * 1_000_000
              + ") t(i)",
          part.resolve("data.parquet"),
          "ROW_GROUP_SIZE 100000");
      parts.add(part);
    }
    expected =
        AggregateRows.ofDuckDb(
            duckdb.query(SQL.replace("FROM t", "FROM '" + data + "/part-*/data.parquet'")));
    expected.sort(Comparator.naturalOrder());
    assertThat(expected).hasSize(100_000);
  }

  @AfterAll
  static void close() throws Exception {
    duckdb.close();
  }

  private TestCluster cluster(List<Path> served, Map<String, Object> properties) {
    List<Map<String, String>> datasets = new ArrayList<>();
    served.forEach(dir -> datasets.add(Map.of("t", dir.toString())));
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("quiver.query-memory-limit", "8MB");
    all.put("quiver.spill-directory", spill.toString());
    all.put("quiver.gather-threshold", "16KB");
    all.putAll(properties);
    return TestCluster.start(datasets, all);
  }

  /** One node serving all three folders (its dataset is a glob over them). */
  private TestCluster oneNode(Map<String, Object> properties) {
    List<Map<String, String>> datasets =
        List.of(Map.of("t", data.resolve("part-*").resolve("data.parquet").toString()));
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("quiver.query-memory-limit", "8MB");
    all.put("quiver.spill-directory", spill.toString());
    all.putAll(properties);
    return TestCluster.start(datasets, all);
  }

  @Test
  void groupsBeyondTheMemoryLimitOnOneNodeSpillAndEqualDuckDb() throws Exception {
    try (TestCluster cluster = oneNode(Map.of());
        QuiverClient client = QuiverClient.connect(cluster.uri(0))) {
      assertThat(sorted(client, SQL)).isEqualTo(expected);
      assertThat(cluster.node(0).node().spilledBytes()).as("bytes spilled").isPositive();
      assertNoSpillFilesLeft(cluster);
    }
  }

  @Test
  void groupsBeyondTheMemoryLimitOnThreeNodesSpillShuffleAndEqualDuckDb() throws Exception {
    try (TestCluster cluster = cluster(parts, Map.of());
        QuiverClient client = QuiverClient.connect(cluster.uri(0))) {
      try (BatchStream stream = client.query(SQL)) {
        List<String> actual = AggregateRows.of(stream);
        actual.sort(Comparator.naturalOrder());
        assertThat(actual).isEqualTo(expected);
        assertThat(stream.statistics().label("strategy")).isEqualTo("shuffle");
      }
      for (TestNode node : cluster.nodes()) {
        assertThat(node.node().spilledBytes()).as("bytes spilled on %s", node.uri()).isPositive();
      }
      assertNoSpillFilesLeft(cluster);
      // The nodes go on answering, spilling again.
      assertThat(sorted(client, SQL)).isEqualTo(expected);
    }
  }

  @Test
  void anAnswerOfMillionsOfGroupsStreamsThroughAnEightMegabyteLimit() throws Exception {
    String all = "SELECT k, SUM(a), COUNT(*) FROM t GROUP BY k";
    List<String> everyGroup =
        AggregateRows.ofDuckDb(
            duckdb.query(all.replace("FROM t", "FROM '" + data + "/part-*/data.parquet'")));
    everyGroup.sort(Comparator.naturalOrder());
    assertThat(everyGroup).hasSize(2_900_000);
    try (TestCluster cluster = cluster(parts, Map.of());
        QuiverClient client = QuiverClient.connect(cluster.uri(0))) {
      assertThat(sorted(client, all)).isEqualTo(everyGroup);
      assertNoSpillFilesLeft(cluster);
    }
    try (TestCluster cluster = oneNode(Map.of());
        QuiverClient client = QuiverClient.connect(cluster.uri(0))) {
      assertThat(sorted(client, all)).isEqualTo(everyGroup);
      assertNoSpillFilesLeft(cluster);
    }
  }

  @Test
  void aFullSortBeyondTheStreamLimitOnOneNodeWritesSortedRunsAndMergesThem() throws Exception {
    String sql = "SELECT k, a FROM t WHERE k < 600000 ORDER BY k, a DESC";
    List<String> ordered =
        AggregateRows.ofDuckDb(
            duckdb.query(sql.replace("FROM t", "FROM '" + data + "/part-*/data.parquet'")));
    assertThat(ordered).hasSize(700_000);
    try (TestCluster cluster = oneNode(Map.of("quiver.stream-memory-limit", "16MB"));
        QuiverClient client = QuiverClient.connect(cluster.uri(0))) {
      try (BatchStream stream = client.query(sql)) {
        assertThat(AggregateRows.of(stream)).isEqualTo(ordered);
      }
      assertThat(cluster.node(0).node().spilledBytes()).as("bytes spilled").isPositive();
      assertNoSpillFilesLeft(cluster);
    }
  }

  @Test
  void aDistributedSortWhoseRangesExceedTheirBudgetSpillsEachRange() throws Exception {
    String sql = "SELECT k, a FROM t ORDER BY k, a DESC";
    List<String> ordered =
        AggregateRows.ofDuckDb(
            duckdb.query(sql.replace("FROM t", "FROM '" + data + "/part-*/data.parquet'")));
    try (TestCluster cluster = cluster(parts, Map.of("quiver.query-memory-limit", "16MB"));
        QuiverClient client = QuiverClient.connect(cluster.uri(0))) {
      try (BatchStream stream = client.query(sql)) {
        assertThat(AggregateRows.of(stream)).isEqualTo(ordered);
      }
      for (TestNode node : cluster.nodes()) {
        assertThat(node.node().spilledBytes()).as("bytes spilled on %s", node.uri()).isPositive();
      }
      assertNoSpillFilesLeft(cluster);
    }
  }

  @Test
  void withoutSpillingTheSameQueryFailsWithResourceExhausted() throws Exception {
    try (TestCluster cluster = oneNode(Map.of("quiver.spill", false));
        QuiverClient client = QuiverClient.connect(cluster.uri(0))) {
      assertThatThrownBy(() -> sorted(client, SQL))
          .isInstanceOf(FlightRuntimeException.class)
          .hasMessageContaining("memory limit")
          .satisfies(e -> assertStatus(e, FlightStatusCode.RESOURCE_EXHAUSTED));
      assertThat(sorted(client, "SELECT COUNT(*) FROM t WHERE k < 10")).containsExactly("20");
    }
  }

  @Test
  void aSpillDirectoryThatCannotBeWrittenFailsTheQueryNamingIt() throws Exception {
    Path occupied = Files.writeString(spill.resolve("occupied"), "a file, not a directory");
    try (TestCluster cluster =
            oneNode(Map.of("quiver.spill-directory", occupied.resolve("spill").toString()));
        QuiverClient client = QuiverClient.connect(cluster.uri(0))) {
      assertThatThrownBy(() -> sorted(client, SQL))
          .isInstanceOf(FlightRuntimeException.class)
          .hasMessageContaining("cannot create a spill directory (spill: Not a directory)")
          .hasMessageNotContaining(spill.toString()) // the full path is in the node's log only
          .satisfies(e -> assertStatus(e, FlightStatusCode.RESOURCE_EXHAUSTED));
      await()
          .atMost(BOUND)
          .until(() -> cluster.nodes().stream().allMatch(n -> n.node().activeFragments() == 0));
      assertThat(sorted(client, "SELECT COUNT(*) FROM t WHERE k < 10")).containsExactly("20");
    }
  }

  @Test
  void aCancelledSpillingQueryLeavesNoSpillFiles() throws Exception {
    try (TestCluster cluster = cluster(parts, Map.of());
        BufferAllocator allocator = new RootAllocator();
        FlightClient client =
            FlightClient.builder(
                    allocator, Location.forGrpcInsecure("127.0.0.1", cluster.uri(0).getPort()))
                .build()) {
      FlightInfo info =
          client.getInfo(FlightDescriptor.command(SQL.getBytes(StandardCharsets.UTF_8)));
      try (FlightStream stream = client.getStream(info.getEndpoints().get(0).getTicket())) {
        await()
            .atMost(BOUND)
            .pollInterval(Duration.ofMillis(5))
            .until(() -> cluster.nodes().stream().anyMatch(n -> n.node().spillFiles() > 0));
        stream.cancel("the user pressed Ctrl-C", null);
      } catch (FlightRuntimeException expected) {
        assertStatus(expected, FlightStatusCode.CANCELLED);
      }
      await()
          .atMost(BOUND)
          .until(() -> cluster.nodes().stream().allMatch(n -> n.node().activeFragments() == 0));
      assertNoSpillFilesLeft(cluster);
    }
  }

  private void assertNoSpillFilesLeft(TestCluster cluster) throws IOException {
    for (TestNode node : cluster.nodes()) {
      assertThat(node.node().spillFiles()).as("spill files on %s", node.uri()).isZero();
    }
    try (Stream<Path> files = Files.walk(spill)) {
      assertThat(files.filter(Files::isRegularFile).filter(f -> !f.endsWith("occupied")))
          .as("files in the spill directory")
          .isEmpty();
    }
  }

  private static List<String> sorted(QuiverClient client, String sql) {
    try (BatchStream stream = client.query(sql)) {
      List<String> rows = AggregateRows.of(stream);
      rows.sort(Comparator.naturalOrder());
      return rows;
    }
  }

  private static void assertStatus(Throwable e, FlightStatusCode code) {
    assertThat(((FlightRuntimeException) e).status().code()).as(e.getMessage()).isEqualTo(code);
  }
}
