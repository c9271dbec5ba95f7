package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.client.BatchStream;
import dev.quiver.client.QueryStatistics;
import dev.quiver.client.QuiverClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * SQL over plain Flight against a real node: results equal DuckDB's over the same Hive-partitioned
 * files, partition predicates prune whole directories, LIMIT stops early, and bad queries get
 * precise errors while the node keeps serving.
 */
class SqlQueryTest {
  @TempDir static Path data;
  static DuckDb duckdb;
  static TestNode node;

  /** The same files on three nodes as shared storage: every case must answer the same there. */
  static TestCluster cluster;

  static String glob;

  @BeforeAll
  static void writeDataAndStartNode() {
    duckdb = new DuckDb();
    Path sales = data.resolve("sales");
    duckdb.execute(
        """
        COPY (
          SELECT i AS id,
            CASE WHEN i %% 10 = 0 THEN NULL ELSE (i %% 97)::INTEGER END AS k,
            CASE WHEN i %% 7 = 0 THEN NULL ELSE i * 0.5 END::DOUBLE AS x,
            CASE WHEN i %% 11 = 0 THEN NULL ELSE 'name-' || (i %% 13) END AS s,
            CAST(i * 0.01 AS DECIMAL(12,2)) AS amount,
            DATE '2024-01-01' + (i %% 400)::INTEGER AS day,
            ['eu', 'us', 'apac'][1 + i %% 3] AS region,
            2022 + (i // 7) %% 3 AS year
          FROM range(0, 60000) t(i)
        ) TO '%s' (FORMAT PARQUET, PARTITION_BY (region, year), ROW_GROUP_SIZE 4096)
        """
            .formatted(sales));
    glob = sales + "/**/*.parquet";
    Path nested = data.resolve("nested.parquet");
    duckdb.writeParquet(
        "SELECT i AS id, [i, i + 1] AS pair, {'name': 'n' || i, 'tags': ['a', NULL]} AS info"
            + " FROM range(0, 1000) t(i)",
        nested,
        "");
    node =
        TestNode.start(
            Map.of("sales", sales.toString(), "nested", nested.toString()),
            Map.of("quiver.split-bytes", "16KB", "quiver.batch-rows", 3000));
    Map<String, String> served = Map.of("sales", sales.toString());
    cluster =
        TestCluster.start(
            List.of(served, served, served),
            Map.of(
                "quiver.split-bytes", "16KB",
                "quiver.batch-rows", 3000,
                "quiver.shared-datasets", "sales"));
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
    cluster.close();
    duckdb.close();
  }

  private static QuiverClient client() {
    return QuiverClient.connect(node.uri());
  }

  private static List<String> duckDb(String select, String where) {
    return CanonicalRows.ofDuckDb(
        duckdb.query(
            "SELECT "
                + select
                + " FROM read_parquet('"
                + glob
                + "', hive_partitioning = true)"
                + (where.isEmpty() ? "" : " WHERE " + where)));
  }

  private static List<String> quiver(String sql) throws Exception {
    return quiver(node.uri(), sql);
  }

  private static List<String> quiver(java.net.URI server, String sql) throws Exception {
    try (QuiverClient client = QuiverClient.connect(server);
        BatchStream stream = client.query(sql)) {
      return CanonicalRows.of(stream);
    }
  }

  /** Where the conformance cases run: one node, and a three-node cluster over shared storage. */
  static List<java.net.URI> topologies() {
    return List.of(node.uri(), cluster.uri(1));
  }

  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> handpicked() {
    return java.util.stream.Stream.of(
            "id, k, s | k > 50 AND s LIKE 'name-1%'",
            "id, amount | amount BETWEEN 10.5 AND 20.25",
            "id | x IS NULL OR k IN (1, 2, 3)",
            "id, s | NOT (s = 'name-3') AND id < 5000",
            "id, day | day >= DATE '2024-12-01'",
            "id, region, year | region = 'eu' AND year <> 2023",
            "id | k IS NOT NULL AND x > 1000.25 AND region IN ('us', 'apac')",
            "id, x, k | id = 123 OR id = 59999",
            "* | id IN (0, 1000, 2000, 59000)")
        .flatMap(
            q ->
                java.util.stream.Stream.of("one node", "three nodes")
                    .map(t -> org.junit.jupiter.params.provider.Arguments.of(t, q)));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @org.junit.jupiter.params.provider.MethodSource("handpicked")
  void answersAsDuckDbDoes(String topology, String query) throws Exception {
    String[] parts = query.split(" \\| ");
    String where = parts[1];
    String select = parts[0];
    String duckSelect = select.equals("*") ? "id, k, x, s, amount, day, region, year" : select;
    java.net.URI server = topology.equals("one node") ? node.uri() : cluster.uri(1);
    assertThat(quiver(server, "SELECT " + select + " FROM sales WHERE " + where))
        .isNotEmpty()
        .isEqualTo(duckDb(duckSelect, where));
  }

  @Test
  void generatedWhereClausesAnswerAsDuckDbDoesForTheSameSqlText() throws Exception {
    java.util.Random random = new java.util.Random(42);
    for (int n = 0; n < 120; n++) {
      String where = condition(random, 2);
      List<String> expected = duckDb("id", where);
      for (java.net.URI server : topologies()) {
        assertThat(quiver(server, "SELECT id FROM sales WHERE " + where))
            .as("WHERE %s on %s", where, server)
            .isEqualTo(expected);
      }
    }
  }

  /** A random condition in the SQL both engines read the same way. */
  private static String condition(java.util.Random random, int depth) {
    int choice = random.nextInt(depth == 0 ? 8 : 11);
    switch (choice) {
      case 8:
        return "(" + condition(random, depth - 1) + ") AND (" + condition(random, depth - 1) + ")";
      case 9:
        return "(" + condition(random, depth - 1) + ") OR (" + condition(random, depth - 1) + ")";
      case 10:
        return "NOT (" + condition(random, depth - 1) + ")";
      default:
        break;
    }
    String[] columns = {"id", "k", "x", "s", "amount", "day", "region", "year"};
    String column = columns[random.nextInt(columns.length)];
    java.util.function.Supplier<String> literal =
        () ->
            switch (column) {
              case "id" -> Integer.toString(random.nextInt(61_000) - 500);
              case "k" ->
                  random.nextBoolean()
                      ? Integer.toString(random.nextInt(100))
                      : (random.nextInt(1_000) / 10.0) + "";
              case "x" -> (random.nextInt(60_000) / 4.0) + "";
              case "s" -> "'name-" + random.nextInt(15) + "'";
              case "amount" -> "-" + random.nextInt(10) + "." + random.nextInt(1000);
              case "day" ->
                  "DATE '" + java.time.LocalDate.of(2024, 1, 1).plusDays(random.nextInt(420)) + "'";
              case "region" ->
                  "'" + List.of("eu", "us", "apac", "mars").get(random.nextInt(4)) + "'";
              default -> Integer.toString(2021 + random.nextInt(5));
            };
    return switch (random.nextInt(7)) {
      case 0 -> column + (random.nextBoolean() ? " IS NULL" : " IS NOT NULL");
      case 1 -> column + " IN (" + literal.get() + ", " + literal.get() + ")";
      case 2 ->
          column
              + (random.nextBoolean() ? " BETWEEN " : " NOT BETWEEN ")
              + literal.get()
              + " AND "
              + literal.get();
      case 3 ->
          column.equals("s") || column.equals("region")
              ? column
                  + (random.nextBoolean() ? " LIKE " : " NOT LIKE ")
                  + "'"
                  + (random.nextBoolean() ? "name-1%" : "%u%")
                  + "'"
              : column + " <> " + literal.get();
      default ->
          column
              + " "
              + List.of("=", "<", "<=", ">", ">=").get(random.nextInt(5))
              + " "
              + literal.get();
    };
  }

  @Test
  void aggregatesGroupByPartitionColumnsAsDuckDbDoes() throws Exception {
    String sql =
        "SELECT region, year, COUNT(*), SUM(amount), MIN(day), MAX(s) FROM sales"
            + " WHERE year >= 2023 AND k IS NOT NULL GROUP BY region, year";
    List<String> expected =
        CanonicalRows.ofDuckDb(
            duckdb.query(
                sql.replace(
                    "FROM sales", "FROM read_parquet('" + glob + "', hive_partitioning = true)")));
    for (java.net.URI server : topologies()) {
      assertThat(quiver(server, sql)).as("on %s", server).isEqualTo(expected);
    }
  }

  @Test
  void computesExpressionsAndCastsInTheSelectList() throws Exception {
    String select = "id * 2 AS twice, CAST(k AS DOUBLE) AS kd, x + 1, CAST(id AS VARCHAR) AS label";
    assertThat(quiver("SELECT " + select + " FROM sales WHERE id < 300"))
        .isEqualTo(duckDb(select, "id < 300"));
  }

  @Test
  void prunesPartitionDirectoriesBeforeReadingAndReportsWhatItSkipped() throws Exception {
    try (QuiverClient client = client();
        BatchStream stream =
            client.query("SELECT id FROM sales WHERE region = 'eu' AND year = 2024 AND id < 600")) {
      List<String> rows = CanonicalRows.of(stream);
      assertThat(rows).isEqualTo(duckDb("id", "region = 'eu' AND year = 2024 AND id < 600"));
      QueryStatistics statistics = stream.statistics();
      // 3 regions x 3 years = 9 directories; only eu/2024 can match.
      assertThat(statistics.get("files")).isEqualTo(9);
      assertThat(statistics.get("filesSkipped")).isEqualTo(8);
      assertThat(statistics.get("rowGroupsSkippedByStatistics")).isPositive();
      assertThat(statistics.get("rowsReturned")).isEqualTo(rows.size());
    }
  }

  @Test
  void servesNestedColumnsAndRejectsFiltersOnThem() throws Exception {
    try (QuiverClient client = client();
        BatchStream stream = client.query("SELECT id, pair, info FROM nested WHERE id = 7")) {
      assertThat(stream.next()).isTrue();
      assertThat(stream.root().getRowCount()).isEqualTo(1);
      assertThat(stream.root().getVector("pair").getObject(0).toString()).isEqualTo("[7,8]");
      assertThat(stream.root().getVector("info").getObject(0).toString())
          .isEqualTo("{\"name\":\"n7\",\"tags\":[\"a\",null]}");
      assertThat(stream.next()).isFalse();
    }
    assertFails(
        "SELECT id FROM nested WHERE pair = 3",
        FlightStatusCode.INVALID_ARGUMENT,
        "Column pair",
        "cannot be filtered on");
  }

  @Test
  void limitStopsTheScanEarly() throws Exception {
    try (QuiverClient client = client();
        BatchStream stream = client.query("SELECT id, s FROM sales LIMIT 7")) {
      assertThat(CanonicalRows.of(stream)).hasSize(7);
      assertThat(stream.statistics().get("rowsDecoded")).isLessThan(60_000 / 9);
    }
    assertThat(quiver("SELECT id FROM sales WHERE k = 5 LIMIT 0")).isEmpty();
  }

  @Test
  void getSchemaOnAQueryDescribesTheResultWithoutScanning() throws Exception {
    try (QuiverClient client = client()) {
      List<Field> fields =
          client.querySchema("SELECT id, amount * 2 AS a, region FROM sales").getFields();
      assertThat(fields).extracting(Field::getName).containsExactly("id", "a", "region");
      // DECIMAL(12,2) * INTEGER is DECIMAL(22,2) by the SQL standard's rules (DuckDB agrees).
      assertThat(fields.get(1).getType()).isEqualTo(new ArrowType.Decimal(22, 2, 128));
      assertThat(fields.get(2).getType()).isEqualTo(ArrowType.Utf8.INSTANCE);
    }
  }

  @Test
  void rejectsBadQueriesWithPreciseErrorsAndKeepsServing() throws Exception {
    assertFails("SELECT id FROM sales WHERE", FlightStatusCode.INVALID_ARGUMENT, "line 1, column");
    assertFails(
        "SELECT id, nope FROM sales",
        FlightStatusCode.INVALID_ARGUMENT,
        "Unknown column 'nope'",
        "columns are: id, k, x");
    assertFails(
        "SELECT id FROM nowhere",
        FlightStatusCode.INVALID_ARGUMENT,
        "Unknown dataset 'nowhere'",
        "sales");
    assertFails(
        "SELECT id FROM sales WHERE amount > 'abc'",
        FlightStatusCode.INVALID_ARGUMENT,
        "Cannot compare column amount (DECIMAL(12,2)) with 'abc'");
    assertFails(
        "SELECT id, COUNT(DISTINCT x) OVER (ORDER BY id) FROM sales",
        FlightStatusCode.UNIMPLEMENTED,
        "COUNT(DISTINCT ...) OVER (...) is not supported yet");
    assertFails(
        "SELECT k, sum(x) FROM sales GROUP BY ROLLUP (k)",
        FlightStatusCode.UNIMPLEMENTED,
        "ROLLUP");
    assertFails(
        "SELECT k, sum(x) FROM sales",
        FlightStatusCode.INVALID_ARGUMENT,
        "line 1, column 8",
        "Expression 'k' is not being grouped");
    assertFails(
        "SELECT sum(s) FROM sales",
        FlightStatusCode.INVALID_ARGUMENT,
        "Cannot apply 'SUM' to arguments of type 'SUM(<VARCHAR>)'");
    assertFails(
        "SELECT CAST(s AS BIGINT) AS n FROM sales WHERE id = 1",
        FlightStatusCode.INVALID_ARGUMENT,
        "Cannot compute column 'n'",
        "'name-1'");
    assertThat(quiver("SELECT id FROM sales WHERE id = 42")).containsExactly("42");
    assertThat(quiver("SELECT ID FROM Sales WHERE Id = 42"))
        .as("unquoted names resolve ignoring case when unambiguous")
        .containsExactly("42");
  }

  private static void assertFails(String sql, FlightStatusCode code, String... messages) {
    assertThatThrownBy(() -> quiver(sql))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> {
              assertThat(e.status().code()).as(sql).isEqualTo(code);
              for (String message : messages) {
                assertThat(e.getMessage()).as(sql).contains(message);
              }
            });
  }

  @Test
  void cliRunsSqlAndPrintsTheStatistics() {
    CliRun run =
        CliRun.of(
            "sql",
            "--server",
            node.uri().toString(),
            "--format",
            "csv",
            "--stats",
            "SELECT id, s FROM sales WHERE id BETWEEN 100 AND 106 AND region = 'us'");
    assertThat(run.exit()).isZero();
    assertThat(run.out().lines()).first().isEqualTo("id,s");
    assertThat(run.out().lines().skip(1))
        .containsExactlyInAnyOrder("100,name-9", "103,name-12", "106,name-2");
    assertThat(run.err())
        .contains("files:      9 considered, 6 skipped")
        .contains("row groups:")
        .contains("3 returned");
  }
}
