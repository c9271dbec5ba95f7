package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What SQL tools send first, over the Flight SQL JDBC driver to a two-node cluster: a connection
 * check ({@code SELECT 1}) and other queries without FROM, {@code EXPLAIN}, {@code SHOW TABLES},
 * {@code DESCRIBE} and {@code SHOW COLUMNS}, and the {@code information_schema} views that tools
 * read metadata from.
 */
class SqlToolStatementsTest {
  @TempDir static Path data;
  static TestCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    try (DuckDb duckdb = new DuckDb()) {
      List<Map<String, String>> datasets = new ArrayList<>();
      for (int n = 0; n < 2; n++) {
        Path trips = Files.createDirectories(data.resolve("trips-" + n));
        duckdb.writeParquet(
            ("SELECT i AS id, 'zone ' || (i %% 4) AS zone, CAST(i * 0.5 AS DECIMAL(10,2)) AS fare"
                    + " FROM range(%d, %d) t(i)")
                .formatted(n * 100, n * 100 + 100),
            trips.resolve("part-" + n + ".parquet"),
            "ROW_GROUP_SIZE 50");
        Path zones = Files.createDirectories(data.resolve("zones-" + n));
        duckdb.writeParquet(
            "SELECT 'zone ' || i AS zone, i %% 2 = 0 AS \"Even Zone\" FROM range(%d, %d) t(i)"
                .formatted(n * 2, n * 2 + 2),
            zones.resolve("zones-" + n + ".parquet"),
            "ROW_GROUP_SIZE 50");
        datasets.add(Map.of("trips", trips.toString(), "zones", zones.toString()));
      }
      cluster = TestCluster.start(datasets, Map.of());
    }
  }

  @AfterAll
  static void stop() throws Exception {
    cluster.close();
  }

  private static Connection connect() throws SQLException {
    return DriverManager.getConnection(
        "jdbc:arrow-flight-sql://127.0.0.1:" + cluster.uri(1).getPort() + "/?useEncryption=false");
  }

  /** Every row of {@code sql}'s answer, each as its columns' values as strings. */
  private static List<List<String>> rows(String sql) throws SQLException {
    try (Connection connection = connect();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      return rows(result);
    }
  }

  private static List<List<String>> rows(ResultSet result) throws SQLException {
    List<List<String>> rows = new ArrayList<>();
    int columns = result.getMetaData().getColumnCount();
    while (result.next()) {
      List<String> row = new ArrayList<>();
      for (int i = 1; i <= columns; i++) {
        row.add(result.getString(i));
      }
      rows.add(row);
    }
    return rows;
  }

  private static List<String> columnNames(String sql) throws SQLException {
    try (Connection connection = connect();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      ResultSetMetaData meta = result.getMetaData();
      List<String> names = new ArrayList<>();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        names.add(meta.getColumnName(i));
      }
      return names;
    }
  }

  @Test
  void selectOneChecksTheConnection() throws Exception {
    assertThat(rows("SELECT 1")).containsExactly(List.of("1"));
    assertThat(rows("select 1 as ok")).containsExactly(List.of("1"));
  }

  @Test
  void queriesWithoutFromComputeTheirConstants() throws Exception {
    assertThat(rows("SELECT 1 + 2 AS three, 'quiver' AS name, CAST(NULL AS INTEGER) AS nothing"))
        .containsExactly(Arrays.asList("3", "quiver", null));
    assertThat(columnNames("SELECT 1 + 2 AS three, 'quiver' AS name"))
        .containsExactly("three", "name");
    assertThat(rows("SELECT x * 10 FROM (VALUES (1), (2), (3)) AS v(x) WHERE x > 1 ORDER BY 1"))
        .containsExactly(List.of("20"), List.of("30"));
    assertThat(rows("SELECT 7 / 2 AS exact, 1 / 0 AS infinite, 7 % 0 AS nothing"))
        .containsExactly(Arrays.asList("3.5", "Infinity", null));
    assertThat(rows("SELECT (SELECT COUNT(*) FROM trips) AS trips, 7 AS seven"))
        .containsExactly(List.of("200", "7"));
  }

  @Test
  void showTablesListsTheDatasets() throws Exception {
    assertThat(rows("SHOW TABLES")).containsExactly(List.of("trips"), List.of("zones"));
    assertThat(rows("show tables;")).containsExactly(List.of("trips"), List.of("zones"));
    assertThat(columnNames("SHOW TABLES")).containsExactly("name");
    assertThat(rows("SHOW SCHEMAS"))
        .containsExactly(List.of("information_schema"), List.of("main"));
  }

  @Test
  void describeAndShowColumnsListADatasetsColumnsWithSqlTypes() throws Exception {
    List<List<String>> expected =
        List.of(
            List.of("id", "BIGINT", "YES"),
            List.of("zone", "VARCHAR", "YES"),
            List.of("fare", "DECIMAL(10,2)", "YES"));
    assertThat(rows("DESCRIBE trips")).isEqualTo(expected);
    assertThat(rows("DESC main.trips")).isEqualTo(expected);
    assertThat(rows("SHOW COLUMNS FROM \"trips\"")).isEqualTo(expected);
    assertThat(rows("show columns in TRIPS;")).isEqualTo(expected);
    assertThat(columnNames("DESCRIBE trips")).containsExactly("column_name", "column_type", "null");
    assertThat(rows("DESCRIBE zones"))
        .containsExactly(List.of("zone", "VARCHAR", "YES"), List.of("Even Zone", "BOOLEAN", "YES"));
  }

  @Test
  void describingAnUnknownDatasetNamesTheDatasetsThereAre() {
    assertThatThrownBy(() -> rows("DESCRIBE taxis"))
        .hasMessageContaining("Unknown dataset 'taxis'; datasets are: trips, zones");
  }

  @Test
  void informationSchemaListsTablesAndColumnsAsToolsQueryThem() throws Exception {
    assertThat(
            rows(
                "SELECT table_schema, table_name, table_type FROM information_schema.tables"
                    + " ORDER BY table_name"))
        .containsExactly(
            List.of("main", "trips", "BASE TABLE"), List.of("main", "zones", "BASE TABLE"));
    assertThat(
            rows(
                "SELECT column_name, ordinal_position, data_type, numeric_precision, numeric_scale"
                    + " FROM INFORMATION_SCHEMA.COLUMNS WHERE table_name = 'trips'"
                    + " ORDER BY ordinal_position"))
        .containsExactly(
            Arrays.asList("id", "1", "BIGINT", null, null),
            Arrays.asList("zone", "2", "VARCHAR", null, null),
            List.of("fare", "3", "DECIMAL(10,2)", "10", "2"));
    assertThat(
            rows(
                "SELECT t.table_name, COUNT(*) AS columns FROM information_schema.tables t"
                    + " JOIN information_schema.columns c ON c.table_name = t.table_name"
                    + " GROUP BY t.table_name ORDER BY 1"))
        .containsExactly(List.of("trips", "3"), List.of("zones", "2"));
  }

  @Test
  void explainPrintsThePlanOverJdbc() throws Exception {
    List<List<String>> plan = rows("EXPLAIN SELECT zone, SUM(fare) FROM trips GROUP BY zone");
    assertThat(String.join("\n", plan.stream().map(r -> r.get(0)).toList()))
        .contains("Aggregate")
        .contains("Scan trips");
  }

  @Test
  void preparedStatementsRunTheSameStatements() throws Exception {
    try (Connection connection = connect()) {
      for (String sql : List.of("SELECT 1", "SHOW TABLES", "DESCRIBE zones")) {
        try (var prepared = connection.prepareStatement(sql);
            ResultSet result = prepared.executeQuery()) {
          assertThat(rows(result)).as(sql).isEqualTo(rows(sql));
        }
      }
    }
  }
}
