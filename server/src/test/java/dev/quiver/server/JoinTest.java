package dev.quiver.server;

import static dev.quiver.server.Answers.inOrder;
import static dev.quiver.server.Answers.sorted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Joins, subqueries and set operations answer as DuckDB does over the same Parquet files, on one
 * node, on three peer-local nodes and on three nodes sharing the files: every join type, with NULL
 * keys, duplicate and skewed keys, keys of different types, extra conditions, no equality at all,
 * and an empty side.
 */
class JoinTest {
  @TempDir static Path data;
  static DuckDb duckdb;
  static TestNode node;
  static TestCluster cluster;

  /** Three nodes that each see every file (object storage, say), dealing the splits out. */
  static TestCluster shared;

  /** {@code l} and {@code r} share ids 0..39 in part, with NULLs, duplicates and a hot id 7. */
  static final Map<String, String> TABLES =
      Map.of(
          "l",
          "SELECT CASE WHEN i % 17 = 0 THEN NULL ELSE CASE WHEN i % 5 = 0 THEN 7 ELSE i % 40 END"
              + " END::BIGINT AS id, (i % 9)::INTEGER AS k, 'v' || (i % 13) AS v,"
              + " (i * 1.25)::DECIMAL(10,2) AS d FROM range(0, 150) t(i)",
          "r",
          "SELECT CASE WHEN i % 11 = 0 THEN NULL ELSE CASE WHEN i % 4 = 0 THEN 7 ELSE 20 + i % 45"
              + " END END::BIGINT AS id, (i % 7)::INTEGER AS i, 'v' || (i % 6) AS w,"
              + " (i % 9)::BIGINT AS big FROM range(0, 120) t(i)",
          "e",
          "SELECT id, i, w, big FROM (SELECT 1::BIGINT AS id, 1::INTEGER AS i, 'x' AS w,"
              + " 1::BIGINT AS big) WHERE false");

  @BeforeAll
  static void writeTablesAndStartNodes() throws Exception {
    duckdb = new DuckDb();
    PeerLocalTables tables = PeerLocalTables.write(duckdb, data, TABLES);
    node = TestNode.start(tables.one());
    shared =
        TestCluster.start(
            List.of(tables.one(), tables.one(), tables.one()),
            Map.of(
                "quiver.shared-datasets",
                List.of("l", "r", "e"),
                "quiver.split-bytes",
                "1KB",
                "quiver.batch-rows",
                16));
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
    if (shared != null) {
      shared.close();
    }
    if (duckdb != null) {
      duckdb.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        // Every join type, NULL keys never matching, duplicates multiplying.
        "SELECT l.id, l.v, r.w FROM l JOIN r ON l.id = r.id",
        "SELECT l.id, l.v, r.w FROM l LEFT JOIN r ON l.id = r.id",
        "SELECT l.id, l.v, r.id, r.w FROM l RIGHT JOIN r ON l.id = r.id",
        "SELECT l.id, l.v, r.id, r.w FROM l FULL JOIN r ON l.id = r.id",
        "SELECT l.id, r.id, l.k, r.i FROM l, r WHERE l.id = r.id AND l.k = r.i",
        "SELECT a.id, a.v, b.v FROM l a JOIN l b ON a.id = b.id AND a.k < b.k",
        "SELECT a.id, r.w, b.v FROM l a JOIN r ON a.id = r.id JOIN l b ON b.k = r.i WHERE a.k < 5",
        "SELECT l.id, r.w FROM l JOIN r ON l.id = r.id"
            + " WHERE EXISTS (SELECT * FROM r x WHERE x.id = l.id AND x.i > 2)",
        // Keys of different types, strings as keys.
        "SELECT l.k, r.big, r.w FROM l JOIN r ON l.k = r.big",
        "SELECT l.v, r.w, l.id FROM l JOIN r ON l.v = r.w",
        // Extra conditions, and none that is an equality.
        "SELECT l.id, l.k, r.i FROM l JOIN r ON l.id = r.id AND l.k < r.i",
        "SELECT l.id, l.k, r.i, r.w FROM l LEFT JOIN r ON l.id = r.id AND r.w > 'v3'",
        "SELECT l.id, r.id FROM l JOIN r ON l.k * 10 < r.i AND l.id < 5",
        // Semi and anti joins, with SQL's NULL semantics for NOT IN.
        "SELECT id, v FROM l WHERE id IN (SELECT id FROM r)",
        "SELECT id, v FROM l WHERE id NOT IN (SELECT id FROM r)",
        "SELECT id, v FROM l WHERE id NOT IN (SELECT id FROM r WHERE id IS NOT NULL)",
        "SELECT id, v FROM l WHERE EXISTS (SELECT * FROM r WHERE r.id = l.id AND r.w <> l.v)",
        "SELECT id, v FROM l WHERE NOT EXISTS (SELECT * FROM r WHERE r.id = l.id AND r.i > l.k)",
        // Scalar subqueries, correlated or not.
        "SELECT id, k FROM l WHERE k > (SELECT AVG(i) FROM r)",
        "SELECT id, (SELECT COUNT(*) FROM r WHERE r.id = l.id) AS n FROM l",
        "SELECT id, d FROM l WHERE d > (SELECT MAX(d) / 2 FROM l AS x WHERE x.k = l.k)",
        // Aggregations over joins, joins over aggregations, CTEs used twice.
        "SELECT l.k, COUNT(*), SUM(l.d), MIN(r.w) FROM l JOIN r ON l.id = r.id GROUP BY l.k",
        "SELECT s.id, s.n, l.v FROM (SELECT id, COUNT(*) AS n FROM r GROUP BY id) s"
            + " JOIN l ON s.id = l.id",
        "WITH c AS (SELECT id, COUNT(*) AS n FROM r GROUP BY id)"
            + " SELECT a.id, a.n, b.n FROM c a JOIN c b ON a.id = b.id",
        // Set operations.
        "SELECT id FROM l UNION ALL SELECT id FROM r",
        "SELECT id, k FROM l UNION SELECT id, i FROM r",
        "SELECT id FROM l INTERSECT SELECT id FROM r",
        "SELECT id FROM l EXCEPT SELECT id FROM r",
        // An empty side.
        "SELECT l.id, e.w FROM l JOIN e ON l.id = e.id",
        "SELECT l.id, e.w FROM l LEFT JOIN e ON l.id = e.id",
        "SELECT id FROM l WHERE NOT EXISTS (SELECT * FROM e WHERE e.id = l.id)",
        "SELECT e.id, l.v FROM e RIGHT JOIN l ON l.id = e.id"
      })
  void answersAsDuckDbOnOneNodeAndThree(String sql) throws Exception {
    List<String> expected = CanonicalRows.ofDuckDb(duckdb.query(sql));
    assertThat(sorted(node.uri(), sql)).as("one node").isEqualTo(expected);
    assertThat(sorted(cluster.uri(0), sql)).as("three nodes").isEqualTo(expected);
    assertThat(sorted(shared.uri(1), sql)).as("three nodes, shared files").isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "SELECT l.id, l.k, r.w FROM l JOIN r ON l.id = r.id"
            + " ORDER BY l.id, l.k, r.w, l.v LIMIT 10 OFFSET 25",
        "SELECT id, d FROM l ORDER BY d DESC OFFSET 140",
        "SELECT id, COUNT(*) AS n FROM l GROUP BY id ORDER BY n DESC, id LIMIT 5 OFFSET 1"
      })
  void ordersAndOffsetsAsDuckDb(String sql) throws Exception {
    List<String> expected = CanonicalRows.ofDuckDbInOrder(duckdb.query(sql));
    assertThat(inOrder(node.uri(), sql)).as("one node").isEqualTo(expected);
    assertThat(inOrder(cluster.uri(0), sql)).as("three nodes").isEqualTo(expected);
  }

  @Test
  void aJoinOfTwoLargeScansRepartitionsBothByTheKeysAndJoinsEachPartitionOnItsNode()
      throws Exception {
    // The peer-local cluster's gather threshold (1KB) is below every build side's estimate.
    String sql = "SELECT l.v, r.w FROM l JOIN r ON l.id = r.id";
    String plan = String.join("\n", inOrder(cluster.uri(0), "EXPLAIN " + sql));
    assertThat(plan.split("hash repartition by \\[id\\] into 3 partitions to stage 3", -1))
        .hasSize(3);
    assertThat(plan).contains("HashJoin INNER on [id] = [id]").doesNotContain("broadcast");
    String analyzed = String.join("\n", inOrder(cluster.uri(0), "EXPLAIN ANALYZE " + sql));
    assertThat(analyzed).contains("HashJoin INNER").contains("shuffle");
  }

  @Test
  void aJoinOfTwoScansBroadcastsItsBuildSideAndRunsOnEveryNode() throws Exception {
    // The shared cluster's gather threshold (4MB) is above the build side's estimate.
    String sql = "SELECT l.v, r.w FROM l JOIN r ON l.id = r.id";
    String plan = String.join("\n", inOrder(shared.uri(0), "EXPLAIN " + sql));
    assertThat(plan)
        .contains("output by broadcast to stage 2")
        .contains("HashJoin INNER on [id] = [id]")
        .contains("Exchange broadcast")
        .contains("Exchange gather");
    String analyzed = String.join("\n", inOrder(shared.uri(0), "EXPLAIN ANALYZE " + sql));
    assertThat(analyzed).contains("HashJoin INNER").contains("rows");
    // A chain of such joins runs in one stage on every node, each build side broadcast.
    String chain =
        String.join(
            "\n",
            inOrder(
                shared.uri(0),
                "EXPLAIN SELECT a.v, r.w, e.w FROM l a JOIN r ON a.id = r.id"
                    + " LEFT JOIN e ON a.id = e.id"));
    assertThat(chain.split("Exchange broadcast", -1)).hasSize(3);
    // An aggregation over it aggregates each node's joined rows; only partial groups travel.
    String aggregated =
        String.join(
            "\n",
            inOrder(
                shared.uri(0),
                "EXPLAIN SELECT l.k, COUNT(*) FROM l JOIN r ON l.id = r.id GROUP BY l.k"));
    assertThat(aggregated)
        .containsSubsequence(
            "Aggregate FINAL",
            "Exchange gather",
            "output by gather",
            "Aggregate PARTIAL",
            "HashJoin INNER",
            "Exchange broadcast");
    // On one node both inputs are gathered where the join runs.
    assertThat(String.join("\n", inOrder(node.uri(), "EXPLAIN " + sql)))
        .doesNotContain("broadcast")
        .contains("HashJoin INNER on [id] = [id]");
  }

  @Test
  void aJoinThatFailsOnTheNodesFreesTheQueryEverywhere() throws Exception {
    // A value that cannot be cast, met in the joining stage on every node, for each kind of join.
    for (TestCluster nodes : List.of(cluster, shared)) {
      for (int attempt = 0; attempt < 4; attempt++) {
        URI coordinator = nodes.uri(attempt % 3);
        assertThatThrownBy(
                () ->
                    sorted(
                        coordinator,
                        "SELECT CAST(r.w AS INTEGER) AS n FROM l JOIN r ON l.id = r.id"))
            .hasMessageContaining("Cannot compute column 'n': Cannot cast 'v");
      }
      // Every node's query slots are free again: the next queries are admitted at once.
      for (int n = 0; n < 3; n++) {
        assertThat(sorted(nodes.uri(n), "SELECT COUNT(*) FROM l JOIN r ON l.id = r.id"))
            .isEqualTo(
                CanonicalRows.ofDuckDb(
                    duckdb.query("SELECT COUNT(*) FROM l JOIN r ON l.id = r.id")));
      }
    }
  }

  @Test
  void aJoinOfAnUnknownColumnNamesIt() {
    assertThatThrownBy(() -> sorted(node.uri(), "SELECT * FROM l JOIN r ON l.nope = r.id"))
        .hasMessageContaining("nope");
  }
}
