package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.client.BatchStream;
import dev.quiver.client.QuiverClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dataset's files are listed and their footers read when the node starts; files added later are
 * served after a {@code refresh-dataset} action (on every node of the cluster at once) or, with
 * {@code quiver.dataset-ttl}, after the listing lapses.
 */
class DatasetRefreshTest {
  @TempDir static Path dir;
  static DuckDb duckdb;

  @BeforeAll
  static void start() {
    duckdb = new DuckDb();
  }

  @AfterAll
  static void stop() throws Exception {
    duckdb.close();
  }

  @Test
  void refreshDatasetMakesEveryNodeServeTheFilesAddedSinceStartup() throws Exception {
    Path data = Files.createDirectories(dir.resolve("shared"));
    write(data.resolve("a.parquet"), 0, 1000);
    try (TestCluster cluster =
        TestCluster.start(
            List.of(Map.of("t", data.toString()), Map.of("t", data.toString())),
            Map.of("quiver.shared-datasets", "t", "quiver.split-bytes", "1KB"))) {
      assertThat(count(cluster.uri(0))).isEqualTo(1000);
      write(data.resolve("b.parquet"), 1000, 3500);
      assertThat(count(cluster.uri(0))).isEqualTo(1000);

      JsonNode reply;
      try (QuiverClient client = QuiverClient.connect(cluster.uri(1))) {
        reply = client.action("refresh-dataset", Map.of("dataset", "t"));
      }
      assertThat(reply.get("files").asLong()).isEqualTo(2);
      assertThat(reply.get("rows").asLong()).isEqualTo(3500);
      assertThat(reply.get("nodes")).hasSize(2);
      reply.get("nodes").forEach(node -> assertThat(node.get("rows").asLong()).isEqualTo(3500));
      assertThat(count(cluster.uri(0))).isEqualTo(3500);
      assertThat(count(cluster.uri(1))).isEqualTo(3500);
    }
  }

  @Test
  void refreshingAnUnknownDatasetIsNotFoundAndAnInternalRefreshIsNotForClients() throws Exception {
    Path data = Files.createDirectories(dir.resolve("one"));
    write(data.resolve("a.parquet"), 0, 10);
    try (TestNode node = TestNode.start(Map.of("t", data.toString()));
        QuiverClient client = QuiverClient.connect(node.uri())) {
      assertThatThrownBy(() -> client.action("refresh-dataset", Map.of("dataset", "nope")))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND))
          .hasMessageContaining("nope");
      assertThatThrownBy(() -> client.action("refresh-dataset", Map.of("name", "t")))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT));
    }
  }

  @Test
  void withATimeToLiveFilesAddedAreServedOnceTheListingLapses() throws Exception {
    Path data = Files.createDirectories(dir.resolve("ttl"));
    write(data.resolve("a.parquet"), 0, 100);
    try (TestNode node =
        TestNode.start(Map.of("t", data.toString()), Map.of("quiver.dataset-ttl", "200ms"))) {
      assertThat(count(node.uri())).isEqualTo(100);
      write(data.resolve("b.parquet"), 100, 250);
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> count(node.uri()) == 250);
    }
  }

  private static void write(Path file, int from, int to) {
    duckdb.writeParquet(
        "SELECT i AS id FROM range(" + from + ", " + to + ") r(i)", file, "ROW_GROUP_SIZE 100");
  }

  private static long count(URI uri) throws InterruptedException {
    try (QuiverClient client = QuiverClient.connect(uri);
        BatchStream stream = client.query("SELECT COUNT(*) FROM t")) {
      return Long.parseLong(AggregateRows.of(stream).get(0));
    }
  }
}
