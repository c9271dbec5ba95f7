package dev.quiver.server.tpch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.quiver.client.BatchStream;
import dev.quiver.client.QuiverClient;
import dev.quiver.server.DuckDb;
import dev.quiver.server.TestCluster;
import dev.quiver.server.TestNode;
import dev.quiver.server.plan.QuiverSql;
import dev.quiver.server.tpch.TpchQueries.TpchQuery;
import java.net.URI;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The 22 TPC-H queries answer on one node, on a three-node peer-local cluster and on three nodes
 * sharing the files as DuckDB answers over the same Parquet files.
 *
 * <p>The tables are generated once for the class at scale factor 0.01 (system property {@code
 * tpch.scale} overrides it) by {@link TpchData}. Answers are compared as sorted rows with numbers
 * rounded to two decimals ({@link TpchRows}). The harness is checked on its own, without Quiver:
 * the files hold the specification's tables, and DuckDB's answers over them agree with the
 * generator's reference answers.
 */
class TpchTest {
  static final double SCALE = Double.parseDouble(System.getProperty("tpch.scale", "0.01"));
  static final int NODES = 3;

  /** Small enough that the cluster's aggregations and joins go through its exchanges. */
  static final Map<String, Object> CLUSTER_SETTINGS =
      Map.of("quiver.gather-threshold", "16KB", "quiver.batch-rows", 4096);

  @TempDir static Path data;
  static TpchData tpch;
  static DuckDb duckdb;
  static TestNode node;
  static TestCluster cluster;

  /** Three nodes that each see every file (object storage, say), the splits dealt among them. */
  static TestCluster shared;

  @BeforeAll
  static void generateTablesAndStartNodes() {
    tpch = TpchData.generate(SCALE, data, NODES);
    duckdb = tpch.duckDb();
    node = TestNode.start(tpch.oneNode());
    cluster = TestCluster.start(tpch.peerLocal(), CLUSTER_SETTINGS);
    Map<String, Object> sharedSettings = new java.util.HashMap<>(CLUSTER_SETTINGS);
    sharedSettings.put("quiver.shared-datasets", TpchData.TABLES);
    sharedSettings.put("quiver.split-bytes", "64KB");
    shared =
        TestCluster.start(List.of(tpch.oneNode(), tpch.oneNode(), tpch.oneNode()), sharedSettings);
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (shared != null) {
      shared.close();
    }
    if (tpch != null) {
      tpch.close();
    }
  }

  static List<TpchQuery> queries() {
    return TpchQueries.all();
  }

  @ParameterizedTest(name = "one node: {0}")
  @MethodSource("queries")
  void answersAsDuckDbOnOneNode(TpchQuery query) throws InterruptedException {
    assertThat(quiver(node.uri(), query)).isEqualTo(expected(query));
  }

  @ParameterizedTest(name = "three peer-local nodes: {0}")
  @MethodSource("queries")
  void answersAsDuckDbOnThreePeerLocalNodes(TpchQuery query) throws InterruptedException {
    assertThat(quiver(cluster.uri(0), query)).isEqualTo(expected(query));
  }

  @ParameterizedTest(name = "three nodes sharing the files: {0}")
  @MethodSource("queries")
  void answersAsDuckDbOnThreeNodesSharingTheFiles(TpchQuery query) throws InterruptedException {
    assertThat(quiver(shared.uri(1), query)).isEqualTo(expected(query));
  }

  // The harness itself, without Quiver.

  @Test
  void tablesHaveTheSpecificationsCardinalities() {
    assertThat(rows("region")).isEqualTo(5);
    assertThat(rows("nation")).isEqualTo(25);
    assertThat(rows("supplier")).isEqualTo(Math.round(10_000 * SCALE));
    assertThat(rows("customer")).isEqualTo(Math.round(150_000 * SCALE));
    assertThat(rows("part")).isEqualTo(Math.round(200_000 * SCALE));
    assertThat(rows("partsupp")).isEqualTo(4 * rows("part"));
    assertThat(rows("orders")).isEqualTo(Math.round(1_500_000 * SCALE));
    assertThat((double) rows("lineitem") / rows("orders"))
        .as("lines per order, 1 to 7 uniformly")
        .isBetween(3.9, 4.1);
    List<Object> orderDates =
        duckdb
            .query("SELECT MIN(o_orderdate)::VARCHAR, MAX(o_orderdate)::VARCHAR FROM orders")
            .get(0);
    assertThat(orderDates)
        .as("order dates, from STARTDATE to ENDDATE - 151 days")
        .allSatisfy(
            day ->
                assertThat(LocalDate.parse((String) day))
                    .isBetween(LocalDate.of(1992, 1, 1), LocalDate.of(1998, 8, 2)));
  }

  @Test
  void filesHaveTheSpecificationsColumnTypes() {
    assertThat(
            duckdb.query(
                "SELECT column_name || ' ' || data_type FROM information_schema.columns"
                    + " WHERE table_name = 'lineitem' ORDER BY ordinal_position"))
        .extracting(row -> row.get(0))
        .containsExactly(
            "l_orderkey BIGINT",
            "l_partkey BIGINT",
            "l_suppkey BIGINT",
            "l_linenumber INTEGER",
            "l_quantity DECIMAL(15,2)",
            "l_extendedprice DECIMAL(15,2)",
            "l_discount DECIMAL(15,2)",
            "l_tax DECIMAL(15,2)",
            "l_returnflag VARCHAR",
            "l_linestatus VARCHAR",
            "l_shipdate DATE",
            "l_commitdate DATE",
            "l_receiptdate DATE",
            "l_shipinstruct VARCHAR",
            "l_shipmode VARCHAR",
            "l_comment VARCHAR");
  }

  @Test
  void peerLocalNodesTogetherHoldEveryRowOnceAndEachHoldsPartOfEveryTable() {
    for (String table : TpchData.TABLES) {
      String one = "read_parquet('" + tpch.oneNodeFiles(table) + "')";
      String peerLocal = "read_parquet('" + tpch.peerLocalFiles(table) + "')";
      assertThat(duckdb.queryLong("SELECT COUNT(*) FROM " + peerLocal))
          .as(table)
          .isEqualTo(rows(table));
      assertThat(
              duckdb.queryLong(
                  "SELECT COUNT(*) FROM (SELECT * FROM %s EXCEPT ALL SELECT * FROM %s)"
                      .formatted(one, peerLocal)))
          .as("%s rows missing from the peer-local files", table)
          .isZero();
      for (Map<String, String> served : tpch.peerLocal()) {
        assertThat(duckdb.queryLong("SELECT COUNT(*) FROM '" + served.get(table) + "/*.parquet'"))
            .as("%s on %s", table, served.get(table))
            .isPositive();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("queries")
  void duckDbAnswersEveryQueryOverTheFiles(TpchQuery query) {
    assertThat(duckdb.query(query.sql())).isNotEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("queries")
  void duckDbAgreesWithTheGeneratorsReferenceAnswers(TpchQuery query) {
    assumeTrue(SCALE == ReferenceAnswers.SCALE, "the reference answers are for scale factor 0.01");
    List<List<String>> reference = ReferenceAnswers.of(query.number());
    List<List<Object>> answer = duckdb.query(query.sql());
    assertThat(answer).hasSameSizeAs(reference);
    List<String> disagreements = new ArrayList<>();
    for (int r = 0; r < answer.size(); r++) {
      assertThat(answer.get(r)).as("row %d", r).hasSameSizeAs(reference.get(r));
      for (int c = 0; c < answer.get(r).size(); c++) {
        if (!ReferenceAnswers.agrees(answer.get(r).get(c), reference.get(r).get(c))) {
          disagreements.add(
              "row %d column %d: %s, reference %s"
                  .formatted(r, c, answer.get(r).get(c), reference.get(r).get(c)));
        }
      }
    }
    assertThat(disagreements).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("queries")
  void everyQueryParsesInQuiversDialect(TpchQuery query) {
    assertThatCode(() -> QuiverSql.parse(query.sql())).doesNotThrowAnyException();
  }

  private static List<String> expected(TpchQuery query) {
    return TpchRows.ofDuckDb(duckdb.query(query.sql()));
  }

  private static List<String> quiver(URI server, TpchQuery query) throws InterruptedException {
    try (QuiverClient client = QuiverClient.connect(server);
        BatchStream stream = client.query(query.sql())) {
      return TpchRows.of(stream);
    }
  }

  private static long rows(String table) {
    return duckdb.queryLong("SELECT COUNT(*) FROM " + table);
  }
}
