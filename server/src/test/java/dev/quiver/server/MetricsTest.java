package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.client.BatchStream;
import dev.quiver.client.QuiverClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's Prometheus endpoint: after known queries the counters moved by exactly what the queries
 * read and returned, calls are counted by method and status, and memory and JVM meters are there.
 */
class MetricsTest {
  @TempDir static Path data;
  static TestNode node;
  static QuiverClient client;

  @BeforeAll
  static void start() throws Exception {
    Path file = data.resolve("t.parquet");
    try (DuckDb duckdb = new DuckDb()) {
      duckdb.writeParquet(
          "SELECT i AS id, i % 10 AS k FROM range(0, 10000) t(i)", file, "ROW_GROUP_SIZE 1000");
    }
    node = TestNode.start(Map.of("t", file.toString()));
    client = QuiverClient.connect(node.uri());
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    node.close();
  }

  @Test
  void countersMoveByWhatTheQueriesReadAndReturned() throws Exception {
    String before = scrape();
    rows("SELECT id FROM t WHERE id < 2500");
    rows("SELECT k, COUNT(*) FROM t GROUP BY k");
    String after = scrape();
    assertThat(
            value(after, "quiver_scan_rows_returned_total")
                - value(before, "quiver_scan_rows_returned_total"))
        .as("2,500 rows of the scan and 10,000 of the aggregation's scan")
        .isEqualTo(12_500);
    assertThat(
            value(after, "quiver_scan_row_groups_skipped_total{level=\"statistics\"}")
                - value(before, "quiver_scan_row_groups_skipped_total{level=\"statistics\"}"))
        .as("row groups of ids from 3,000 up that the streams skipped (planning prunes others)")
        .isBetween(1.0, 7.0);
    assertThat(
            value(after, "quiver_calls_seconds_count{method=\"DO_GET\",status=\"OK\"}")
                - value(before, "quiver_calls_seconds_count{method=\"DO_GET\",status=\"OK\"}"))
        .isGreaterThanOrEqualTo(2);
    assertThat(
            value(after, "quiver_query_memory_peak_bytes_count")
                - value(before, "quiver_query_memory_peak_bytes_count"))
        .as("the aggregation's state on the node, freed once, with its memory peak")
        .isEqualTo(1);
    assertThat(value(after, "quiver_query_memory_peak_bytes_max")).isPositive();
    assertThat(after)
        .contains("quiver_memory_limit_bytes")
        .contains("quiver_streams_active")
        .contains("jvm_memory_used_bytes")
        .contains("quiver_calls_seconds_bucket");
  }

  @Test
  void theGrafanaDashboardQueriesOnlyMetricsTheNodeExports() throws Exception {
    rows("SELECT k, COUNT(*) FROM t GROUP BY k");
    String scraped = scrape();
    String dashboard =
        java.nio.file.Files.readString(
            java.nio.file.Path.of("../deploy/grafana/quiver-dashboard.json"));
    java.util.regex.Matcher names =
        java.util.regex.Pattern.compile("\\b(quiver|jvm)_[a-z_]+").matcher(dashboard);
    java.util.Set<String> used = new java.util.TreeSet<>();
    while (names.find()) {
      used.add(names.group());
    }
    assertThat(used).hasSizeGreaterThan(10);
    for (String name : used) {
      assertThat(scraped).as("the dashboard's %s", name).containsPattern("(?m)^" + name + "[ {]");
    }
  }

  private static void rows(String sql) {
    try (BatchStream stream = client.query(sql)) {
      AggregateRows.of(stream);
    }
  }

  private static String scrape() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + node.node().metricsPort() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  /** The value of the sample named {@code series} (name and labels as written), 0 if absent. */
  private static double value(String scrape, String series) {
    for (String line : List.of(scrape.split("\n"))) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]);
      }
    }
    return 0;
  }
}
