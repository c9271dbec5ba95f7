package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.client.BatchStream;
import dev.quiver.client.QuiverClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code quiver.lazy-footers}, a node lists a dataset and reads one footer to start; a query
 * opens only the files its partition values keep. Shown with a file that is not Parquet at all: a
 * node reading footers eagerly refuses to start, a lazy one serves every query that prunes the
 * file, and fails the one that needs it naming the file, while a footer cache smaller than the
 * dataset keeps answering right.
 */
class LazyFootersTest {
  @TempDir Path dir;

  @Test
  void queriesOpenOnlyTheFilesTheirPartitionsKeep() throws Exception {
    Path data = dir.resolve("t");
    String prunedSql = "SELECT COUNT(*), SUM(v), MIN(id) FROM t WHERE part <> 13";
    List<String> expected;
    try (DuckDb duckdb = new DuckDb()) {
      duckdb.execute(
          "COPY (SELECT i AS id, i // 500 AS part, i * 0.5 AS v FROM range(10000) r(i)) TO '"
              + data
              + "' (FORMAT PARQUET, PARTITION_BY (part))");
      expected =
          AggregateRows.ofDuckDb(
              duckdb.query(
                  prunedSql.replace(
                      "FROM t",
                      "FROM read_parquet('" + data + "/*/*.parquet', hive_partitioning = true)")));
    }
    Path broken;
    try (var files = Files.list(data.resolve("part=13"))) {
      broken = files.findFirst().orElseThrow();
    }
    Files.writeString(broken, "not a parquet file, and never opened by a pruned query");

    assertThatThrownBy(() -> TestNode.start(Map.of("t", data.toString())))
        .hasStackTraceContaining(broken.toString());

    try (TestNode node =
        TestNode.start(
            Map.of("t", data.toString()),
            Map.of("quiver.lazy-footers", true, "quiver.footer-cache-files", 5))) {
      assertThat(query(node.uri(), prunedSql)).isEqualTo(expected);
      assertThat(query(node.uri(), "SELECT COUNT(*) FROM t WHERE part = 3")).containsExactly("500");
      assertThatThrownBy(() -> query(node.uri(), "SELECT COUNT(*) FROM t"))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.INTERNAL))
          .hasMessageContaining(data.relativize(broken).toString()) // part=N/data_0.parquet
          .hasMessageNotContaining(data.toString());
      assertThat(query(node.uri(), prunedSql)).isEqualTo(expected);
    }
  }

  private static List<String> query(URI uri, String sql) throws InterruptedException {
    try (QuiverClient client = QuiverClient.connect(uri);
        BatchStream stream = client.query(sql)) {
      return AggregateRows.of(stream);
    }
  }
}
