package dev.quiver.server;

import static dev.quiver.server.Answers.inOrder;
import static dev.quiver.server.Answers.sorted;
import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Window functions answer as DuckDB does over the same Parquet files, on one node and on three
 * peer-local nodes: ranking with ties, LAG and LEAD, first and last values, aggregates over the
 * default frames, ROWS and RANGE frames, windows over joins and aggregations, NULLs in partition
 * keys and arguments, an empty input and thousands of partitions. Where a function depends on the
 * order of rows that tie, the query breaks ties by the unique {@code id}.
 */
class WindowFunctionTest {
  @TempDir static Path data;
  static DuckDb duckdb;
  static TestNode node;
  static TestCluster cluster;

  /**
   * {@code t}: a unique id, partition keys {@code k} (NULL for some rows) and {@code g}, values
   * {@code x} with ties and NULLs, decimals {@code d}, strings {@code s}; {@code u} joins on {@code
   * k}; {@code many} has 3000 partitions; {@code e} is empty.
   */
  static final Map<String, String> TABLES =
      Map.of(
          "t",
          "SELECT i::BIGINT AS id, CASE WHEN i % 23 = 0 THEN NULL ELSE i % 7 END::INTEGER AS k,"
              + " 'g' || (i % 3) AS g,"
              + " CASE WHEN i % 11 = 0 THEN NULL ELSE (i * 37) % 10 END::INTEGER AS x,"
              + " (i * 1.25)::DECIMAL(10,2) AS d, 's' || ((i * 13) % 17) AS s"
              + " FROM range(0, 200) r(i)",
          "u",
          "SELECT (i % 5)::INTEGER AS k, 'w' || i AS w FROM range(0, 8) r(i)",
          "many",
          "SELECT i::BIGINT AS id, (i % 3000)::INTEGER AS k, (i % 13)::BIGINT AS v"
              + " FROM range(0, 12000) r(i)",
          "e",
          "SELECT id, k, x FROM (SELECT 1::BIGINT AS id, 1::INTEGER AS k, 1::INTEGER AS x)"
              + " WHERE false");

  @BeforeAll
  static void writeTablesAndStartNodes() throws Exception {
    duckdb = new DuckDb();
    PeerLocalTables tables = PeerLocalTables.write(duckdb, data, TABLES);
    node = TestNode.start(tables.one(), Map.of("quiver.batch-rows", 64));
    cluster =
        TestCluster.start(
            tables.peerLocal(), Map.of("quiver.gather-threshold", "1KB", "quiver.batch-rows", 16));
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      node.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (duckdb != null) {
      duckdb.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        // Ranking with ties; NULL keys make a partition of their own.
        "SELECT id, k, x, ROW_NUMBER() OVER (PARTITION BY k ORDER BY x, id) AS rn,"
            + " RANK() OVER (PARTITION BY k ORDER BY x) AS r,"
            + " DENSE_RANK() OVER (PARTITION BY k ORDER BY x) AS dr FROM t",
        "SELECT id, ROW_NUMBER() OVER (PARTITION BY k, g ORDER BY id) AS rn,"
            + " RANK() OVER (PARTITION BY g, x ORDER BY k) AS r FROM t",
        "SELECT id, x, RANK() OVER (ORDER BY x DESC NULLS FIRST) AS r,"
            + " ROW_NUMBER() OVER (ORDER BY x DESC NULLS FIRST, id) AS rn FROM t",
        "SELECT id, RANK() OVER (PARTITION BY g ORDER BY x NULLS FIRST, k DESC) AS r,"
            + " DENSE_RANK() OVER (PARTITION BY g ORDER BY x DESC, k NULLS FIRST) AS dr FROM t",
        "SELECT id, NTILE(4) OVER (PARTITION BY k ORDER BY id) AS q,"
            + " PERCENT_RANK() OVER (PARTITION BY k ORDER BY x) AS pr,"
            + " CUME_DIST() OVER (PARTITION BY k ORDER BY x) AS cd FROM t",
        // LAG and LEAD, with offsets and defaults.
        "SELECT id, LAG(x) OVER (PARTITION BY k ORDER BY id) AS a,"
            + " LEAD(x, 2) OVER (PARTITION BY k ORDER BY id) AS b,"
            + " LAG(x, 3, -1) OVER (PARTITION BY k ORDER BY id) AS c,"
            + " LEAD(s, 1, 'none') OVER (PARTITION BY k ORDER BY id) AS d FROM t",
        "SELECT id, x - LAG(x) OVER (ORDER BY id) AS delta, LEAD(d, 1, d) OVER (ORDER BY id) AS nd"
            + " FROM t",
        // First and last values, the default frame and the whole partition.
        "SELECT id, FIRST_VALUE(x) OVER (PARTITION BY k ORDER BY id) AS f,"
            + " LAST_VALUE(x) OVER (PARTITION BY k ORDER BY id) AS l,"
            + " LAST_VALUE(s) OVER (PARTITION BY k ORDER BY id"
            + " ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS ls,"
            + " FIRST_VALUE(d) OVER (PARTITION BY k ORDER BY x DESC, id) AS fd FROM t",
        // Aggregates over the default frame (peers included) and over the whole partition.
        "SELECT id, SUM(x) OVER (PARTITION BY k ORDER BY id) AS s,"
            + " AVG(x) OVER (PARTITION BY k ORDER BY id) AS a,"
            + " COUNT(x) OVER (PARTITION BY k ORDER BY id) AS c,"
            + " COUNT(*) OVER (PARTITION BY k ORDER BY id) AS n,"
            + " MIN(x) OVER (PARTITION BY k ORDER BY id) AS lo,"
            + " MAX(s) OVER (PARTITION BY k ORDER BY id) AS hi FROM t",
        "SELECT id, SUM(x) OVER (PARTITION BY k) AS s, COUNT(*) OVER (PARTITION BY k) AS n,"
            + " MIN(s) OVER (PARTITION BY g) AS lo, MAX(d) OVER () AS hi,"
            + " SUM(d) OVER (PARTITION BY g) AS sd FROM t",
        "SELECT id, x, SUM(x) OVER (PARTITION BY k ORDER BY x) AS s,"
            + " COUNT(*) OVER (ORDER BY x) AS n, MAX(id) OVER (PARTITION BY g ORDER BY x) AS m"
            + " FROM t",
        // ROWS frames.
        "SELECT id, SUM(x) OVER (PARTITION BY k ORDER BY id"
            + " ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s,"
            + " MIN(x) OVER (PARTITION BY k ORDER BY id"
            + " ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS lo,"
            + " MAX(s) OVER (PARTITION BY k ORDER BY id"
            + " ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS hi,"
            + " COUNT(x) OVER (PARTITION BY k ORDER BY id"
            + " ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS c FROM t",
        "SELECT id, SUM(d) OVER (PARTITION BY g ORDER BY id"
            + " ROWS BETWEEN 3 PRECEDING AND 1 FOLLOWING) AS s,"
            + " AVG(x) OVER (PARTITION BY g ORDER BY id"
            + " ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS a,"
            + " SUM(x) OVER (ORDER BY id ROWS BETWEEN 2 FOLLOWING AND 4 FOLLOWING) AS ahead,"
            + " FIRST_VALUE(x) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND 1 PRECEDING) AS f"
            + " FROM t",
        // RANGE frames by value.
        "SELECT id, x, SUM(id) OVER (PARTITION BY k ORDER BY x"
            + " RANGE BETWEEN 2 PRECEDING AND 1 FOLLOWING) AS s,"
            + " COUNT(*) OVER (PARTITION BY g ORDER BY x DESC"
            + " RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) AS n FROM t",
        // Over a join, over an aggregation, filtered outside (the first rows of each group).
        "SELECT t.id, u.w, ROW_NUMBER() OVER (PARTITION BY u.w ORDER BY t.id) AS rn,"
            + " SUM(t.x) OVER (PARTITION BY u.w) AS s FROM t JOIN u ON t.k = u.k",
        "SELECT k, SUM(x) AS total, RANK() OVER (ORDER BY SUM(x) DESC) AS r FROM t GROUP BY k",
        "SELECT * FROM (SELECT id, k, x, ROW_NUMBER() OVER (PARTITION BY k ORDER BY x DESC, id)"
            + " AS rn FROM t) WHERE rn <= 3",
        "SELECT id, SUM(x) OVER (PARTITION BY k ORDER BY id) AS s FROM t WHERE x > 3",
        // An empty input; thousands of partitions.
        "SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS rn, SUM(x) OVER () AS s FROM e",
        "SELECT id, k, ROW_NUMBER() OVER (PARTITION BY k ORDER BY id) AS rn,"
            + " SUM(v) OVER (PARTITION BY k) AS s,"
            + " LAG(v) OVER (PARTITION BY k ORDER BY id) AS p FROM many"
      })
  void answersAsDuckDbOnOneNodeAndThree(String sql) throws Exception {
    List<String> expected = CanonicalRows.ofDuckDb(duckdb.query(sql));
    assertThat(sorted(node.uri(), sql)).as("one node").isEqualTo(expected);
    assertThat(sorted(cluster.uri(0), sql)).as("three nodes").isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "SELECT id, SUM(x) OVER (PARTITION BY k ORDER BY id) AS s FROM t"
            + " ORDER BY s DESC, id LIMIT 10",
        "SELECT k, ROW_NUMBER() OVER (ORDER BY k DESC NULLS FIRST) AS rn FROM u ORDER BY rn"
      })
  void ordersItsAnswerAsDuckDb(String sql) throws Exception {
    List<String> expected = CanonicalRows.ofDuckDbInOrder(duckdb.query(sql));
    assertThat(inOrder(node.uri(), sql)).as("one node").isEqualTo(expected);
    assertThat(inOrder(cluster.uri(0), sql)).as("three nodes").isEqualTo(expected);
  }

  @Test
  void explainShowsTheWindowWithItsKeysFunctionsAndFrames() throws Exception {
    String plan =
        String.join(
            "\n",
            inOrder(
                node.uri(),
                "EXPLAIN SELECT id, ROW_NUMBER() OVER (PARTITION BY k ORDER BY id) AS rn,"
                    + " SUM(x) OVER (PARTITION BY k ORDER BY id"
                    + " ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS s FROM t"));
    assertThat(plan)
        .contains("Window [partition by k order by id: row_number()]")
        .contains(
            "Window [partition by k order by id: count(x) rows between 1 preceding and current"
                + " row, sum(x) rows between 1 preceding and current row]");
  }

  @Test
  void onSeveralNodesAWindowRunsOnEveryNodeOverItsInputRepartitionedByThePartitionKeys()
      throws Exception {
    String sql =
        "SELECT id, ROW_NUMBER() OVER (PARTITION BY k ORDER BY id) AS rn,"
            + " SUM(x) OVER (PARTITION BY k) AS s,"
            + " RANK() OVER (PARTITION BY g ORDER BY x) AS r FROM t";
    String plan = String.join("\n", inOrder(cluster.uri(0), "EXPLAIN " + sql));
    assertThat(plan)
        .containsSubsequence(
            "output to the client",
            "Exchange gather",
            "output by gather",
            "Window [partition by g order by x: rank()]",
            "Exchange hash repartition by [g] into 3 partitions",
            "output by hash repartition by [g] into 3 partitions",
            "Window [partition by k: count(x), sum(x)]",
            "Window [partition by k order by id: row_number()]",
            "Exchange hash repartition by [k] into 3 partitions",
            "output by hash repartition by [k] into 3 partitions",
            "Scan t");
    // Without PARTITION BY, the window runs where its whole input is gathered.
    assertThat(
            String.join(
                "\n",
                inOrder(
                    cluster.uri(0),
                    "EXPLAIN SELECT id," + " ROW_NUMBER() OVER (ORDER BY id) AS rn FROM t")))
        .doesNotContain("hash repartition")
        .containsSubsequence("Window [order by id: row_number()]", "Exchange gather");
  }

  /**
   * Rows hash-repartitioned by one window's keys and then again by the next one's: before the stage
   * between the two repartitions ran on the nodes (its rows kept, then sent on), it was only opened
   * there, nothing was sent on, and the answer came back empty without an error.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "SELECT id, k, g, rn, SUM(x) OVER (PARTITION BY g ORDER BY id) AS s FROM"
            + " (SELECT id, k, g, x, ROW_NUMBER() OVER (PARTITION BY k ORDER BY x, id) AS rn"
            + " FROM t)",
        "SELECT id, k, v, SUM(v) OVER (PARTITION BY k) AS s,"
            + " RANK() OVER (PARTITION BY v ORDER BY k, id) AS r,"
            + " COUNT(*) OVER (PARTITION BY k % 7) AS n FROM many",
        "SELECT t.id, u.w, SUM(t.x) OVER (PARTITION BY t.g ORDER BY t.id) AS s"
            + " FROM t JOIN u ON t.k = u.k"
      })
  void aWindowOverRowsHashRepartitionedByOtherKeysAnswersEveryRowOnThreeNodes(String sql)
      throws Exception {
    // Every window runs on the three nodes; only the gathered answer is read on the coordinator.
    List<String> plan = inOrder(cluster.uri(0), "EXPLAIN " + sql);
    assertThat(plan.stream().filter(line -> line.startsWith("Stage ")))
        .filteredOn(stage -> stage.contains(": 1 task "))
        .singleElement(as(InstanceOfAssertFactories.STRING))
        .endsWith("output to the client");
    assertThat(sorted(cluster.uri(0), sql))
        .as("three nodes")
        .isEqualTo(CanonicalRows.ofDuckDb(duckdb.query(sql)));
  }

  @Test
  void aWindowThatFailsFreesTheQueryEverywhere() throws Exception {
    for (int attempt = 0; attempt < 3; attempt++) {
      URI coordinator = cluster.uri(attempt);
      assertThatThrownBy(
              () ->
                  sorted(
                      coordinator,
                      "SELECT id, SUM(CAST(s AS INTEGER)) OVER (PARTITION BY k) AS n FROM t"))
          .hasMessageContaining("Cannot cast 's");
    }
    String sql = "SELECT id, ROW_NUMBER() OVER (PARTITION BY k ORDER BY id) AS rn FROM t";
    for (int n = 0; n < 3; n++) {
      assertThat(sorted(cluster.uri(n), sql)).isEqualTo(CanonicalRows.ofDuckDb(duckdb.query(sql)));
    }
  }

  @Test
  void aWindowFunctionItCannotComputeYetIsUnimplementedAndNamed() {
    assertThatThrownBy(
            () ->
                sorted(
                    node.uri(), "SELECT id, COUNT(DISTINCT x) OVER (PARTITION BY k) AS n FROM t"))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNIMPLEMENTED))
        .hasMessageContaining("COUNT(DISTINCT ...) OVER (...) is not supported yet");
  }
}
