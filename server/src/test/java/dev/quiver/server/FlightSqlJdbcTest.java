package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Arrow Flight SQL JDBC driver, used as JDBC tools use it, against a three-node cluster: it
 * lists the datasets as tables with typed columns, runs statements and prepared statements with
 * parameters, and its answers equal DuckDB's over the same files.
 */
class FlightSqlJdbcTest {
  @TempDir static Path data;
  static DuckDb duckdb;
  static TestCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    duckdb = new DuckDb();
    List<Map<String, String>> datasets = new ArrayList<>();
    List<String> files = new ArrayList<>();
    for (int n = 0; n < 3; n++) {
      Path dir = Files.createDirectories(data.resolve("node-" + n));
      Path file = dir.resolve("part-" + n + ".parquet");
      duckdb.writeParquet(
          """
          SELECT i AS id,
            ['north', 'south', 'east', 'west', NULL][1 + i %% 5] AS b,
            CASE WHEN i %% 9 = 0 THEN NULL ELSE i * 7 - 1000 END::BIGINT AS a,
            (i %% 100)::INTEGER AS c,
            CAST(i * 0.25 AS DECIMAL(12,2)) AS m,
            DATE '2024-01-01' + (i %% 366)::INTEGER AS day,
            TIMESTAMP '2024-01-01 08:00:00' + INTERVAL (i * 61) SECOND AS ts,
            TIMESTAMPTZ '2024-06-01 12:00:00+00' + INTERVAL (i) MINUTE AS tstz,
            'Zürich ' || (i %% 7) || ' ✓' AS s
          FROM range(%d, %d) t(i)
          """
              .formatted(n * 10_000, n * 10_000 + 10_000),
          file,
          "ROW_GROUP_SIZE 4000");
      files.add("'" + file + "'");
      datasets.add(Map.of("t", dir.toString()));
    }
    duckdb.execute("SET TimeZone = 'UTC'");
    duckdb.execute(
        "CREATE VIEW t AS SELECT * FROM read_parquet([" + String.join(",", files) + "])");
    cluster = TestCluster.start(datasets, Map.of("quiver.gather-threshold", "1KB"));
  }

  @AfterAll
  static void stop() throws Exception {
    cluster.close();
    duckdb.close();
  }

  private static Connection connect(int node) throws SQLException {
    return DriverManager.getConnection(
        "jdbc:arrow-flight-sql://127.0.0.1:"
            + cluster.uri(node).getPort()
            + "/?useEncryption=false");
  }

  @Test
  void databaseMetaDataListsDatasetsAsTablesWithTypedColumns() throws Exception {
    try (Connection connection = connect(0)) {
      DatabaseMetaData meta = connection.getMetaData();
      assertThat(meta.getDatabaseProductName()).isEqualTo("Quiver");
      assertThat(meta.getIdentifierQuoteString()).isEqualTo("\"");
      assertThat(rows(meta.getCatalogs(), "TABLE_CAT")).isEmpty();
      assertThat(rows(meta.getSchemas(), "TABLE_SCHEM")).containsExactly("main");
      assertThat(rows(meta.getTableTypes(), "TABLE_TYPE")).containsExactly("TABLE");
      assertThat(rows(meta.getTables(null, null, "%", null), "TABLE_NAME")).containsExactly("t");
      assertThat(rows(meta.getTables(null, "ma_n", "_", new String[] {"TABLE"}), "TABLE_NAME"))
          .containsExactly("t");
      assertThat(rows(meta.getTables(null, null, "x%", null), "TABLE_NAME")).isEmpty();
      assertThat(rows(meta.getTables(null, null, "%", new String[] {"VIEW"}), "TABLE_NAME"))
          .isEmpty();

      Map<String, Integer> columns = new LinkedHashMap<>();
      try (ResultSet rs = meta.getColumns(null, "main", "t", "%")) {
        while (rs.next()) {
          columns.put(rs.getString("COLUMN_NAME"), rs.getInt("DATA_TYPE"));
        }
      }
      assertThat(columns)
          .containsExactly(
              Map.entry("id", Types.BIGINT),
              Map.entry("b", Types.VARCHAR),
              Map.entry("a", Types.BIGINT),
              Map.entry("c", Types.INTEGER),
              Map.entry("m", Types.DECIMAL),
              Map.entry("day", Types.DATE),
              Map.entry("ts", Types.TIMESTAMP),
              Map.entry("tstz", Types.TIMESTAMP_WITH_TIMEZONE),
              Map.entry("s", Types.VARCHAR));
      assertThat(rows(meta.getPrimaryKeys(null, "main", "t"), "COLUMN_NAME")).isEmpty();
      assertThat(rows(meta.getImportedKeys(null, "main", "t"), "PKCOLUMN_NAME")).isEmpty();
      assertThat(rows(meta.getExportedKeys(null, "main", "t"), "FKCOLUMN_NAME")).isEmpty();
    }
  }

  @Test
  void statementAggregatesAcrossTheClusterAsDuckDbDoes() throws Exception {
    String sql =
        "SELECT b, SUM(a), COUNT(*), AVG(m), MIN(day), MAX(ts) FROM t WHERE c < 50 GROUP BY b";
    for (int node = 0; node < 3; node++) {
      try (Connection connection = connect(node);
          Statement statement = connection.createStatement();
          ResultSet rs = statement.executeQuery(sql)) {
        assertThat(sorted(canonical(rs))).as("through node %d", node).isEqualTo(duckDb(sql));
      }
    }
  }

  @Test
  void joinsAndSubqueriesAnswerThroughJdbcAsDuckDbDoes() throws Exception {
    for (String sql :
        List.of(
            "SELECT x.b, COUNT(*), SUM(y.a) FROM t x JOIN t y ON x.id = y.a GROUP BY x.b",
            "SELECT id, s FROM t WHERE c = 3 AND id NOT IN (SELECT a FROM t WHERE a IS NOT NULL)",
            "SELECT b, COUNT(*) FROM t WHERE m > (SELECT AVG(m) FROM t) GROUP BY b")) {
      try (Connection connection = connect(1);
          Statement statement = connection.createStatement();
          ResultSet rs = statement.executeQuery(sql)) {
        assertThat(sorted(canonical(rs))).as(sql).isEqualTo(duckDb(sql));
      }
    }
  }

  @Test
  void preparedStatementBindsParametersForEachExecution() throws Exception {
    String sql = "SELECT b, SUM(a) FROM t WHERE c < ? GROUP BY b";
    try (Connection connection = connect(1);
        PreparedStatement statement = connection.prepareStatement(sql)) {
      assertThat(statement.getParameterMetaData().getParameterCount()).isEqualTo(1);
      ResultSetMetaData result = statement.getMetaData();
      assertThat(result.getColumnCount()).isEqualTo(2);
      for (int limit : new int[] {50, 7, 0}) {
        statement.setInt(1, limit);
        try (ResultSet rs = statement.executeQuery()) {
          assertThat(sorted(canonical(rs)))
              .as("c < %d", limit)
              .isEqualTo(duckDb(sql.replace("?", Integer.toString(limit))));
        }
      }
    }
    String scan = "SELECT id, s, m FROM t WHERE day BETWEEN ? AND ? AND s LIKE ? AND m > ?";
    try (Connection connection = connect(2);
        PreparedStatement statement = connection.prepareStatement(scan)) {
      statement.setDate(1, java.sql.Date.valueOf(LocalDate.of(2024, 3, 1)));
      statement.setDate(2, java.sql.Date.valueOf(LocalDate.of(2024, 3, 3)));
      statement.setString(3, "Zürich 3%");
      statement.setBigDecimal(4, new BigDecimal("100.50"));
      try (ResultSet rs = statement.executeQuery()) {
        assertThat(sorted(canonical(rs)))
            .isEqualTo(
                duckDb(
                    "SELECT id, s, m FROM t WHERE day BETWEEN DATE '2024-03-01' AND DATE"
                        + " '2024-03-03' AND s LIKE 'Zürich 3%' AND m > 100.50"));
      }
    }
  }

  @Test
  void limitHoldsOverTheWholeCluster() throws Exception {
    try (Connection connection = connect(2);
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT id FROM t WHERE c < 50 LIMIT 25")) {
      int rows = 0;
      while (rs.next()) {
        assertThat(rs.getLong(1) % 100).isLessThan(50);
        rows++;
      }
      assertThat(rows).isEqualTo(25);
    }
  }

  @Test
  void typesRoundTripThroughJdbc() throws Exception {
    String sql = "SELECT id, b, a, m, day, ts, tstz, s FROM t WHERE id < 40 OR id > 29990";
    try (Connection connection = connect(0);
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      assertThat(sorted(canonical(rs))).isEqualTo(duckDb(sql));
    }
  }

  @Test
  void unsupportedStatementsAreRefusedWithAClearMessage() throws Exception {
    try (Connection connection = connect(0);
        Statement statement = connection.createStatement()) {
      assertThatThrownBy(() -> statement.executeUpdate("DELETE FROM t WHERE id = 1"))
          .hasStackTraceContaining("UNIMPLEMENTED")
          .hasStackTraceContaining("read-only");
      assertThatThrownBy(() -> statement.executeQuery("SELECT nope FROM t"))
          .hasStackTraceContaining("INVALID_ARGUMENT")
          .hasStackTraceContaining("Unknown column 'nope'");
      assertThatThrownBy(() -> connection.prepareStatement("SELECT id FROM t LIMIT ?"))
          .hasStackTraceContaining("must be compared with a column");
      try (ResultSet rs = statement.executeQuery("SELECT COUNT(*) FROM main.t")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(30_000);
      }
    }
  }

  private static List<String> rows(ResultSet rs, String column) throws SQLException {
    List<String> values = new ArrayList<>();
    try (rs) {
      while (rs.next()) {
        values.add(rs.getString(column));
      }
    }
    return values;
  }

  private static List<String> duckDb(String sql) {
    return sorted(AggregateRows.ofDuckDb(normalize(duckdb.query(sql))));
  }

  /** JDBC rows as text: timestamps with a zone as UTC instants, without one as local date-times. */
  private static List<String> canonical(ResultSet rs) throws SQLException {
    List<List<Object>> rows = new ArrayList<>();
    ResultSetMetaData meta = rs.getMetaData();
    while (rs.next()) {
      List<Object> row = new ArrayList<>();
      for (int c = 1; c <= meta.getColumnCount(); c++) {
        if (meta.getColumnType(c) == Types.TIMESTAMP_WITH_TIMEZONE) {
          // The driver has no getObject for zoned timestamps; getTimestamp is the instant.
          Timestamp instant = rs.getTimestamp(c);
          row.add(instant == null ? null : instant.toInstant().toString());
        } else {
          row.add(rs.getObject(c));
        }
      }
      rows.add(row);
    }
    return AggregateRows.ofDuckDb(normalize(rows));
  }

  private static List<List<Object>> normalize(List<List<Object>> rows) {
    List<List<Object>> normalized = new ArrayList<>();
    for (List<Object> row : rows) {
      List<Object> values = new ArrayList<>();
      for (Object value : row) {
        if (value instanceof OffsetDateTime offset) {
          values.add(offset.toInstant().toString());
        } else if (value instanceof Number number
            && !(value instanceof BigDecimal)
            && !(value instanceof Double)
            && !(value instanceof Float)) {
          values.add(java.math.BigInteger.valueOf(number.longValue()));
        } else {
          values.add(value);
        }
      }
      normalized.add(values);
    }
    return normalized;
  }

  private static List<String> sorted(List<String> rows) {
    List<String> copy = new ArrayList<>(rows);
    copy.sort(Comparator.naturalOrder());
    return copy;
  }
}
