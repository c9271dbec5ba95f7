package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.client.BatchStream;
import dev.quiver.client.QuiverClient;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.vector.VarCharVector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code EXPLAIN <query>} answers with the query's distributed plan, one line per row: its stages,
 * the answer's first, each with its tasks and where its output goes, then its operators. On one
 * node there is one stage and no exchange; on three, exchanges cut the plan where rows move between
 * nodes. Nothing is scanned.
 */
class ExplainTest {
  static final String TOP_GROUPS =
      "SELECT g, SUM(m) AS s FROM t GROUP BY g ORDER BY 2 DESC LIMIT 5";

  @TempDir static Path data;
  static TestCluster three;
  static TestNode one;

  @BeforeAll
  static void start() throws Exception {
    List<Map<String, String>> datasets = new ArrayList<>();
    try (DuckDb duckdb = new DuckDb()) {
      for (int n = 0; n < 3; n++) {
        Path file = data.resolve("part-" + n + ".parquet");
        duckdb.writeParquet(
            "SELECT i AS id, i % 100 AS g, i * 0.5 AS m FROM range("
                + n * 1000
                + ", "
                + (n + 1) * 1000
                + ") r(i)",
            file,
            "");
        datasets.add(Map.of("t", file.toString()));
      }
    }
    three = TestCluster.start(datasets, Map.of());
    one = TestNode.start(datasets.get(0));
  }

  @AfterAll
  static void stop() {
    three.close();
    one.close();
  }

  private static List<String> explain(java.net.URI node, String sql) throws Exception {
    List<String> lines = new ArrayList<>();
    try (QuiverClient client = QuiverClient.connect(node);
        BatchStream stream = client.query("EXPLAIN " + sql)) {
      assertThat(stream.schema().getFields()).extracting(f -> f.getName()).containsExactly("plan");
      while (stream.next()) {
        VarCharVector plan = (VarCharVector) stream.root().getVector(0);
        for (int i = 0; i < stream.root().getRowCount(); i++) {
          lines.add(new String(plan.get(i), java.nio.charset.StandardCharsets.UTF_8));
        }
      }
    }
    return lines;
  }

  @Test
  void onOneNodeAnAggregationIsOneStageWithoutExchange() throws Exception {
    String node = one.node().cluster().self().getUri().toString();
    assertThat(explain(one.uri(), TOP_GROUPS))
        .containsExactly(
            "Stage 1: 1 task (" + node + " (coordinator): its own files); output to the client",
            "  TopN 5 by [s DESC]",
            "    Project [g, agg0 AS s]",
            "      Aggregate FINAL by [g]: SUM(m) AS agg0",
            "        Aggregate PARTIAL by [g]: SUM(m) AS agg0",
            "          Scan t [g, m]");
  }

  @Test
  void onThreeNodesAnAggregationRepartitionsItsGroupsByKeyAndGathersTheAnswer() throws Exception {
    List<String> plan = explain(three.uri(0), TOP_GROUPS);
    String coordinator = three.node(0).node().cluster().self().getUri() + " (coordinator)";
    assertThat(plan)
        .first()
        .asString()
        .startsWith("Stage 3: 1 task (partition 0 on " + coordinator + ")")
        .endsWith("output to the client");
    assertThat(plan)
        .contains("  TopN 5 by [s DESC]", "      Exchange gather", "        RemoteSource stage 2")
        .anySatisfy(
            line ->
                assertThat(line)
                    .startsWith("Stage 2: 3 tasks (partition 0 on " + coordinator)
                    .contains("output by gather to stage 3"))
        .anySatisfy(
            line ->
                assertThat(line)
                    .startsWith(
                        "    Exchange hash repartition by [g] into 3 partitions (gathered instead"
                            + " when the input totals at most"))
        .anySatisfy(
            line ->
                assertThat(line)
                    .startsWith("Stage 1: 3 tasks (")
                    .contains(coordinator + ": its own files")
                    .contains("output by hash repartition by [g] into 3 partitions")
                    .endsWith("to stage 2"))
        .contains("    Scan t [g, m]");
    assertThat(plan.stream().filter(line -> line.startsWith("Stage "))).hasSize(3);
  }

  @Test
  void onThreeNodesAGlobalAggregateGathersPartialStates() throws Exception {
    List<String> plan = explain(three.uri(1), "SELECT COUNT(*), SUM(m) FROM t WHERE id > 10");
    assertThat(plan.stream().filter(line -> line.startsWith("Stage "))).hasSize(2);
    assertThat(plan)
        .anySatisfy(line -> assertThat(line).startsWith("Stage 2: 1 task"))
        .anySatisfy(line -> assertThat(line).contains("    Exchange gather"))
        .anySatisfy(line -> assertThat(line).contains("Scan t [m] pushed down: id > 10"));
  }

  @Test
  void onThreeNodesScansGatherTheirFirstRowsOrRangeRepartitionToSort() throws Exception {
    List<String> topN = explain(three.uri(0), "SELECT id, m FROM t ORDER BY m DESC LIMIT 10");
    assertThat(topN)
        .contains("  TopN 10 by [m DESC]", "    Exchange gather", "      RemoteSource stage 1")
        .filteredOn(line -> line.equals("  TopN 10 by [m DESC]"))
        .as("a top-N on each node and one of their rows on the coordinator")
        .hasSize(2);
    assertThat(explain(three.uri(0), "SELECT id FROM t WHERE id < 50 LIMIT 7"))
        .contains("  Limit 7", "    Exchange gather", "    Project [id]")
        .filteredOn(line -> line.equals("  Limit 7"))
        .hasSize(2);
    List<String> sorted = explain(three.uri(0), "SELECT id FROM t ORDER BY id");
    assertThat(sorted)
        .anySatisfy(
            line ->
                assertThat(line)
                    .startsWith("Stage 2: 3 tasks")
                    .endsWith("to the client, which reads each task's part in order"))
        .contains("  Sort by [id]", "    Exchange range repartition by [id] into 3 partitions");
    List<String> plain = explain(three.uri(2), "SELECT id FROM t WHERE id % 7 = 0");
    assertThat(plain.get(0))
        .startsWith("Stage 1: 3 tasks")
        .endsWith("to the client, which reads each task's part");
    assertThat(plain).noneMatch(line -> line.contains("Exchange"));
  }

  @Test
  void jdbcToolsReceiveThePlanAsRows() throws Exception {
    try (Connection connection =
            DriverManager.getConnection(
                "jdbc:arrow-flight-sql://127.0.0.1:"
                    + three.uri(0).getPort()
                    + "/?useEncryption=false");
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("EXPLAIN PLAN FOR " + TOP_GROUPS)) {
      List<String> lines = new ArrayList<>();
      while (rows.next()) {
        lines.add(rows.getString("plan"));
      }
      assertThat(lines).isEqualTo(explain(three.uri(0), TOP_GROUPS));
    }
  }

  @Test
  void explainOfAQueryThatCannotBePlannedFailsAsTheQueryWould() {
    assertThatThrownBy(() -> explain(one.uri(), "SELECT nope FROM t"))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT))
        .hasMessageContaining("nope");
    assertThatThrownBy(() -> explain(one.uri(), "EXPLAIN SELECT g FROM t"))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT))
        .hasMessageContaining("not another EXPLAIN");
    assertThatThrownBy(() -> explain(one.uri(), "ANALYZE SELECT nope FROM t").size())
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT))
        .hasMessageContaining("nope");
  }

  @Test
  void explainAnalyzeOnOneNodeRunsTheQueryAndCountsEachOperator() throws Exception {
    List<String> plan = explain(one.uri(), "ANALYZE " + TOP_GROUPS);
    assertThat(plan.get(0)).startsWith("Ran in ").contains("5 rows returned, 1000 rows scanned");
    assertThat(plan)
        .anySatisfy(line -> assertThat(line).startsWith("  TopN 5 by [s DESC]  [5 rows, "))
        .anySatisfy(
            line ->
                assertThat(line)
                    .startsWith("      Aggregate FINAL by [g]: SUM(m) AS agg0  [100 rows"))
        .anySatisfy(line -> assertThat(line).matches("\\s+Scan t \\[g, m]  \\[1000 rows, .* ms]"));
  }

  @Test
  void explainAnalyzeOnThreeNodesCountsEachOperatorOnEachNode() throws Exception {
    List<String> plan = explain(three.uri(0), "ANALYZE " + TOP_GROUPS);
    assertThat(plan.get(0))
        .contains("5 rows returned, 3000 rows scanned on 3 nodes, partial results by gather");
    String[] nodes = new String[3];
    for (int n = 0; n < 3; n++) {
      java.net.URI uri = three.node(n).node().cluster().self().getUri();
      nodes[n] = uri.getHost() + ":" + uri.getPort();
    }
    assertThat(plan)
        .anySatisfy(line -> assertThat(line).startsWith("  TopN 5 by [s DESC]  [5 rows, "))
        .anySatisfy(
            line ->
                assertThat(line)
                    .as("planned on three nodes, the merge ran once where the input was gathered")
                    .startsWith("Stage 2: 1 task (")
                    .contains("(coordinator), its input gathered as it was small"))
        .anySatisfy(
            line ->
                assertThat(line)
                    .contains("Aggregate PARTIAL by [g]: SUM(m) AS agg0  [300 rows, ")
                    .contains(nodes[0] + " 100 rows ", nodes[1] + " 100 rows ", nodes[2]))
        .anySatisfy(
            line ->
                assertThat(line)
                    .contains("Scan t [g, m]  [3000 rows, ")
                    .contains(nodes[0] + " 1000 rows ", nodes[1] + " 1000 rows "));
  }

  @Test
  void explainAnalyzeOfAShuffledAggregationCountsEachOwnersMerge() throws Exception {
    try (TestCluster shuffled =
        TestCluster.start(
            List.of(
                Map.of("t", data.resolve("part-0.parquet").toString()),
                Map.of("t", data.resolve("part-1.parquet").toString()),
                Map.of("t", data.resolve("part-2.parquet").toString())),
            Map.of("quiver.gather-threshold", "1KB"))) {
      List<String> plan = explain(shuffled.uri(1), "ANALYZE " + TOP_GROUPS);
      assertThat(plan.get(0))
          .contains("5 rows returned, 3000 rows scanned on 3 nodes, partial results by shuffle (");
      assertThat(plan)
          .anySatisfy(
              line ->
                  assertThat(line)
                      .startsWith("  Aggregate FINAL by [g]: SUM(m) AS agg0  [100 rows, ")
                      .as("every owner merged its share of the 100 groups")
                      .matches(
                          ".*; [^ ]+ \\d+ rows [^,]+, [^ ]+ \\d+ rows [^,]+, [^ ]+ \\d+ rows .*"))
          .contains(
              "      RemoteSource stage 1  [taken by the operator above as the rows arrived]");
      try (Connection connection =
              DriverManager.getConnection(
                  "jdbc:arrow-flight-sql://127.0.0.1:"
                      + shuffled.uri(0).getPort()
                      + "/?useEncryption=false");
          Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery("EXPLAIN ANALYZE " + TOP_GROUPS)) {
        assertThat(rows.next()).isTrue();
        assertThat(rows.getString("plan")).startsWith("Ran in ");
      }
    }
  }
}
