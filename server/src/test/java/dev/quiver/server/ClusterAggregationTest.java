package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.client.BatchStream;
import dev.quiver.client.QueryStatistics;
import dev.quiver.client.QuiverClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SUM, COUNT, MIN, MAX and AVG with GROUP BY, HAVING, ORDER BY and LIMIT on 1-, 2- and 3-node
 * clusters, peer-local and shared, answer exactly as DuckDB does over the union of the same files.
 *
 * <p>The files, written by DuckDB, mix 500-row, 1,000-row and whole-file row groups and include an
 * empty file. Keys cover few groups, ~20,000 groups, a skewed key, NULL keys, strings with
 * non-ASCII text, dates, timestamps, booleans, doubles and decimals. The gather threshold is low,
 * so queries with many groups go through the hash shuffle and queries with few are gathered.
 */
class ClusterAggregationTest {
  @TempDir static Path data;
  static DuckDb duckdb;
  static final Map<String, TestCluster> CLUSTERS = new LinkedHashMap<>();

  /** The files, in the order they are dealt out to nodes. */
  static final List<String> FILES =
      List.of("f0.parquet", "f1.parquet", "f2.parquet", "empty.parquet", "f4.parquet");

  static final Map<String, Object> SETTINGS =
      Map.of("quiver.gather-threshold", "16KB", "quiver.batch-rows", 4096);

  @BeforeAll
  static void writeFilesAndStartClusters() throws IOException {
    duckdb = new DuckDb();
    Path all = Files.createDirectories(data.resolve("all"));
    write(all.resolve("f0.parquet"), 0, 40_000, "ROW_GROUP_SIZE 1000");
    write(all.resolve("f1.parquet"), 40_000, 100_000, "ROW_GROUP_SIZE 100000");
    write(all.resolve("f2.parquet"), 100_000, 130_000, "ROW_GROUP_SIZE 500");
    write(all.resolve("empty.parquet"), 0, 0, "");
    write(all.resolve("f4.parquet"), 130_000, 150_000, "COMPRESSION zstd");
    duckdb.execute("CREATE VIEW t AS SELECT * FROM read_parquet('" + all + "/*.parquet')");
    for (int size = 1; size <= 3; size++) {
      CLUSTERS.put(size + " peer-local", peerLocal(size));
    }
    CLUSTERS.put(
        "3 shared",
        TestCluster.start(
            List.of(
                Map.of("t", all.toString()),
                Map.of("t", all.toString()),
                Map.of("t", all.toString())),
            with(SETTINGS, "quiver.shared-datasets", "t", "quiver.split-bytes", "64KB")));
  }

  private static void write(Path file, int from, int to, String options) {
    duckdb.writeParquet(
        """
        SELECT i AS id,
          CASE WHEN i %% 13 = 0 THEN NULL ELSE (i %% 7)::INTEGER END AS g,
          (i * 7919) %% 20011 AS k,
          CASE WHEN i %% 10 < 9 THEN 0 ELSE i %% 100 END::INTEGER AS skew,
          CASE WHEN i %% 11 = 0 THEN NULL
               ELSE 'name-' || (i %% 17) || CASE WHEN i %% 2 = 0 THEN '-über' ELSE '' END END AS s,
          CASE WHEN i %% 5 = 0 THEN NULL ELSE i * 3 - 50000 END::BIGINT AS a,
          ((i %% 1000) * 0.25)::DOUBLE AS d,
          CAST((i %% 9973) * 0.01 AS DECIMAL(12,2)) AS m,
          DATE '2020-01-01' + (i %% 1500)::INTEGER AS day,
          TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (i) SECOND AS ts,
          (i %% 3 = 0) AS flag
        FROM range(%d, %d) t(i)
        """
            .formatted(from, to),
        file,
        options);
  }

  /** A cluster of {@code size} nodes that deals the files out round-robin, each node its own. */
  private static TestCluster peerLocal(int size) throws IOException {
    List<Map<String, String>> datasets = new ArrayList<>();
    for (int n = 0; n < size; n++) {
      Path dir = Files.createDirectories(data.resolve("cluster-" + size + "/node-" + n));
      for (int f = n; f < FILES.size(); f += size) {
        Files.copy(data.resolve("all").resolve(FILES.get(f)), dir.resolve(FILES.get(f)));
      }
      datasets.add(Map.of("t", dir.toString()));
    }
    return TestCluster.start(datasets, SETTINGS);
  }

  private static Map<String, Object> with(Map<String, Object> base, Object... more) {
    Map<String, Object> all = new LinkedHashMap<>(base);
    for (int i = 0; i < more.length; i += 2) {
      all.put((String) more[i], more[i + 1]);
    }
    return all;
  }

  @AfterAll
  static void stop() throws Exception {
    for (TestCluster cluster : CLUSTERS.values()) {
      cluster.close();
    }
    duckdb.close();
  }

  static final List<String> UNORDERED =
      List.of(
          "SELECT g, SUM(a), COUNT(*), COUNT(a), MIN(a), MAX(a), AVG(a) FROM t GROUP BY g",
          "SELECT k, SUM(d), COUNT(*), AVG(d) FROM t GROUP BY k",
          "SELECT s, MIN(day), MAX(ts), SUM(m), AVG(m), MIN(m), MAX(s) FROM t GROUP BY s",
          "SELECT skew, COUNT(*), SUM(a), MAX(d) FROM t GROUP BY skew",
          "SELECT g, s, COUNT(*) AS n, SUM(m) AS total FROM t WHERE a > 1000 GROUP BY g, s",
          "SELECT COUNT(*), SUM(a), AVG(d), MIN(s), MAX(day), MIN(ts) FROM t",
          "SELECT COUNT(*), COUNT(a), SUM(a), AVG(a), MAX(s) FROM t WHERE id < 0",
          "SELECT g, COUNT(*) FROM t WHERE id < 0 GROUP BY g",
          "SELECT k, SUM(a) AS total FROM t GROUP BY k HAVING SUM(a) > 100000 AND COUNT(*) >= 7",
          "SELECT flag, day, COUNT(*), MIN(flag) FROM t GROUP BY flag, day",
          "SELECT ts, COUNT(*) FROM t WHERE id BETWEEN 1000 AND 4000 GROUP BY ts",
          "SELECT d, m, COUNT(*) FROM t WHERE id BETWEEN 50000 AND 52000 GROUP BY d, m",
          "SELECT SUM(a) AS s, g FROM t WHERE s LIKE 'name-1%' GROUP BY g HAVING MAX(a) IS NOT NULL");

  static final List<String> ORDERED =
      List.of(
          "SELECT g, SUM(a) AS total FROM t GROUP BY g ORDER BY total DESC NULLS LAST LIMIT 3",
          "SELECT k, COUNT(*) AS c, SUM(a) FROM t GROUP BY k ORDER BY c DESC, k LIMIT 10",
          "SELECT s, COUNT(*) FROM t GROUP BY s ORDER BY s NULLS FIRST",
          "SELECT g, AVG(d) FROM t GROUP BY g ORDER BY 2, 1 NULLS LAST",
          "SELECT skew, MAX(day) AS latest FROM t GROUP BY skew ORDER BY latest DESC, skew LIMIT 5");

  static Stream<Arguments> unordered() {
    return CLUSTERS.keySet().stream().flatMap(c -> UNORDERED.stream().map(q -> Arguments.of(c, q)));
  }

  static Stream<Arguments> ordered() {
    return CLUSTERS.keySet().stream().flatMap(c -> ORDERED.stream().map(q -> Arguments.of(c, q)));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("unordered")
  void groupsEqualDuckDbs(String cluster, String sql) throws InterruptedException {
    List<String> expected = AggregateRows.ofDuckDb(duckdb.query(sql));
    expected.sort(Comparator.naturalOrder());
    List<String> actual = quiver(cluster, 0, sql);
    actual.sort(Comparator.naturalOrder());
    assertThat(actual).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("ordered")
  void orderedAnswerEqualsDuckDbsInOrder(String cluster, String sql) throws InterruptedException {
    assertThat(quiver(cluster, 0, sql))
        .containsExactlyElementsOf(AggregateRows.ofDuckDb(duckdb.query(sql)));
  }

  @Test
  void anyNodeCanCoordinate() throws InterruptedException {
    String sql = UNORDERED.get(0);
    List<String> expected = AggregateRows.ofDuckDb(duckdb.query(sql));
    expected.sort(Comparator.naturalOrder());
    for (int node = 0; node < 3; node++) {
      List<String> actual = quiver("3 peer-local", node, sql);
      actual.sort(Comparator.naturalOrder());
      assertThat(actual).as("coordinated by node %d", node).isEqualTo(expected);
    }
  }

  @Test
  void manyGroupsAreShuffledAndFewAreGathered() throws InterruptedException {
    QueryStatistics many = statistics("3 peer-local", "SELECT k, COUNT(*) FROM t GROUP BY k");
    assertThat(many.label("strategy")).isEqualTo("shuffle");
    assertThat(many.get("bytesShuffled")).isPositive();
    assertThat(many.peers()).hasSize(3);
    assertThat(many.peers()).allSatisfy(p -> assertThat(p.get("bytesIn")).isPositive());
    assertThat(many.peers().stream().mapToLong(p -> p.get("finalGroups")).sum()).isEqualTo(20_011);
    assertThat(many.get("rowsDecoded")).isEqualTo(150_000);
    assertThat(many.operators())
        .as("the report counts each operator of the stage plan on all nodes")
        .anySatisfy(
            o -> {
              assertThat(o.operator()).startsWith("Aggregate FINAL by [k]");
              assertThat(o.rows()).isEqualTo(20_011);
            })
        .anySatisfy(
            o -> {
              assertThat(o.operator()).startsWith("Scan t");
              assertThat(o.stage()).isEqualTo(1);
              assertThat(o.rows()).isEqualTo(150_000);
            });

    QueryStatistics few = statistics("3 peer-local", "SELECT g, COUNT(*) FROM t GROUP BY g");
    assertThat(few.label("strategy")).isEqualTo("gather");
    assertThat(few.get("bytesShuffled")).isZero();
    assertThat(few.get("partialGroups")).isLessThanOrEqualTo(3 * 8);
  }

  @Test
  void aCountOfEveryRowIsAnsweredFromTheFootersWithoutReadingAPage() throws InterruptedException {
    for (String cluster : List.of("3 peer-local", "3 shared")) {
      String sql = "SELECT COUNT(*) FROM t";
      assertThat(quiver(cluster, 1, sql))
          .as(cluster)
          .containsExactlyElementsOf(AggregateRows.ofDuckDb(duckdb.query(sql)));
      QueryStatistics counted = statistics(cluster, sql);
      assertThat(counted.get("rowsDecoded")).as(cluster).isZero();
      assertThat(counted.get("bytesRead")).as(cluster).isZero();
      assertThat(counted.get("rowGroups")).as(cluster).isPositive();
    }
    QueryStatistics filtered =
        statistics("3 peer-local", "SELECT COUNT(*) FROM t WHERE id % 2 = 0");
    assertThat(filtered.get("rowsDecoded")).as("a filter reads its column").isPositive();
  }

  @Test
  void sharedPlacementSpreadsRowGroupsOverEveryNodeAndReadsEachOnce() throws InterruptedException {
    QueryStatistics shared = statistics("3 shared", "SELECT k, SUM(a) FROM t GROUP BY k");
    assertThat(shared.get("rowsDecoded")).isEqualTo(150_000);
    assertThat(shared.peers()).allSatisfy(p -> assertThat(p.get("rowsScanned")).isPositive());
  }

  @Test
  void filtersArePushedDownBeforeAggregating() throws InterruptedException {
    QueryStatistics pruned =
        statistics("3 peer-local", "SELECT g, COUNT(*) FROM t WHERE id < 2000 GROUP BY g");
    assertThat(pruned.get("rowsDecoded")).isLessThan(10_000);
    assertThat(pruned.get("rowGroupsSkippedByStatistics")).isPositive();
  }

  @Test
  void coordinatorDescribesTheWholeDatasetWithEndpointsOnTheNodesThatHoldIt() throws Exception {
    for (String name : List.of("3 peer-local", "3 shared")) {
      TestCluster cluster = CLUSTERS.get(name);
      try (QuiverClient client = QuiverClient.connect(cluster.uri(1))) {
        FlightInfo info = client.flightClient().getInfo(FlightDescriptor.path("t"));
        assertThat(info.getRecords()).as(name).isEqualTo(150_000);
        assertThat(
                info.getEndpoints().stream()
                    .map(e -> e.getLocations().get(0).getUri().getPort())
                    .distinct()
                    .sorted()
                    .toList())
            .as(name)
            .containsExactlyElementsOf(
                cluster.nodes().stream().map(n -> n.uri().getPort()).sorted().toList());
        assertThat(client.datasets())
            .singleElement()
            .satisfies(d -> assertThat(d.rows()).isEqualTo(150_000));
        long rows = 0;
        try (BatchStream stream = client.read("t")) {
          while (stream.next()) {
            rows += stream.root().getRowCount();
          }
        }
        assertThat(rows).as(name).isEqualTo(150_000);
      }
    }
  }

  @Test
  void scanQueriesReadEveryNodesPartAndLimitHoldsOverAllOfThem() throws Exception {
    String sql = "SELECT id, a FROM t WHERE a > 100000";
    long expected = duckdb.queryLong("SELECT COUNT(*) FROM (" + sql + ")");
    for (String name : List.of("3 peer-local", "3 shared")) {
      assertThat(quiver(name, 2, sql)).as(name).hasSize((int) expected);
      assertThat(quiver(name, 2, sql + " LIMIT 7")).as(name).hasSize(7);
    }
  }

  @Test
  void cliPrintsTheAnswerAndEveryNodesStages() {
    CliRun run =
        CliRun.of(
            "sql",
            "--server",
            CLUSTERS.get("3 peer-local").uri(0).toString(),
            "--format",
            "csv",
            "--stats",
            "SELECT g, COUNT(*) AS n FROM t WHERE g IS NOT NULL GROUP BY g ORDER BY g LIMIT 2");
    assertThat(run.exit()).as(run.err()).isZero();
    List<String> expected =
        AggregateRows.ofDuckDb(
            duckdb.query(
                "SELECT g, COUNT(*) FROM t WHERE g IS NOT NULL GROUP BY g ORDER BY g LIMIT 2"));
    assertThat(run.out().lines().toList())
        .containsExactly(
            "g,n", expected.get(0).replace('|', ','), expected.get(1).replace('|', ','));
    String stages = run.err();
    assertThat(stages)
        .contains("on 3 node(s)")
        .contains("gathered on the coordinator")
        .contains("rows:       150,000 decoded");
    for (TestNode node : CLUSTERS.get("3 peer-local").nodes()) {
      assertThat(stages).contains("127.0.0.1:" + node.uri().getPort());
    }
  }

  private static List<String> quiver(String cluster, int node, String sql)
      throws InterruptedException {
    try (QuiverClient client = QuiverClient.connect(CLUSTERS.get(cluster).uri(node));
        BatchStream stream = client.query(sql)) {
      return AggregateRows.of(stream);
    }
  }

  private static QueryStatistics statistics(String cluster, String sql)
      throws InterruptedException {
    try (QuiverClient client = QuiverClient.connect(CLUSTERS.get(cluster).uri(0));
        BatchStream stream = client.query(sql)) {
      while (stream.next()) {
        // drain
      }
      return stream.statistics();
    }
  }
}
