package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.adbc.core.AdbcConnection;
import org.apache.arrow.adbc.core.AdbcDatabase;
import org.apache.arrow.adbc.core.AdbcDriver;
import org.apache.arrow.adbc.core.AdbcStatement;
import org.apache.arrow.adbc.driver.flightsql.FlightSqlDriver;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ADBC Flight SQL driver for Java reads a distributed aggregation as Arrow, as DuckDB answers.
 */
class AdbcFlightSqlTest {
  @TempDir Path data;

  @Test
  void aQueryIsReadAsArrowThroughAdbc() throws Exception {
    try (DuckDb duckdb = new DuckDb()) {
      for (int n = 0; n < 2; n++) {
        duckdb.writeParquet(
            "SELECT i AS id, i %% 4 AS g, i * 1.5 AS x FROM range(%d, %d) t(i)"
                .formatted(n * 5000, n * 5000 + 5000),
            data.resolve("part-" + n + ".parquet"),
            "");
      }
      String sql = "SELECT g, COUNT(*), SUM(x) FROM t GROUP BY g";
      List<String> expected =
          AggregateRows.ofDuckDb(
              duckdb.query(sql.replace("FROM t", "FROM '" + data + "/part-*.parquet'")));
      expected.sort(Comparator.naturalOrder());
      try (TestCluster cluster =
              TestCluster.start(
                  List.of(
                      Map.of("t", data.resolve("part-0.parquet").toString()),
                      Map.of("t", data.resolve("part-1.parquet").toString())),
                  Map.of());
          BufferAllocator allocator = new RootAllocator()) {
        Map<String, Object> parameters = new HashMap<>();
        AdbcDriver.PARAM_URI.set(parameters, "grpc://127.0.0.1:" + cluster.uri(1).getPort());
        List<String> actual = new ArrayList<>();
        try (AdbcDatabase database = new FlightSqlDriver(allocator).open(parameters);
            AdbcConnection connection = database.connect();
            AdbcStatement statement = connection.createStatement()) {
          statement.setSqlQuery(sql);
          try (AdbcStatement.QueryResult result = statement.executeQuery()) {
            ArrowReader reader = result.getReader();
            while (reader.loadNextBatch()) {
              VectorSchemaRoot root = reader.getVectorSchemaRoot();
              for (int r = 0; r < root.getRowCount(); r++) {
                List<Object> row = new ArrayList<>();
                for (FieldVector vector : root.getFieldVectors()) {
                  row.add(vector.getObject(r));
                }
                actual.addAll(AggregateRows.ofDuckDb(List.of(row)));
              }
            }
          }
        }
        actual.sort(Comparator.naturalOrder());
        assertThat(actual).isEqualTo(expected);
      }
    }
  }
}
