package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.client.QuiverClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quiver queries} lists the streams clients are reading on every node of a cluster, and
 * {@code quiver cancel} stops one on whichever node it runs: its reader gets CANCELLED, the node
 * serves on.
 */
class RunningQueriesTest {
  @TempDir Path dir;

  @Test
  void aStreamOnAnotherNodeIsListedAndCancelledFromAnyNode() throws Exception {
    List<Map<String, String>> datasets = new ArrayList<>();
    try (DuckDb duckdb = new DuckDb()) {
      for (int n = 0; n < 2; n++) {
        Path file = dir.resolve("part-" + n + ".parquet");
        duckdb.writeParquet("SELECT i AS id FROM range(2000000) r(i)", file, "");
        datasets.add(Map.of("t", file.toString()));
      }
    }
    try (TestCluster cluster = TestCluster.start(datasets, Map.of());
        QuiverClient client = QuiverClient.connect(cluster.uri(0))) {
      FlightInfo info =
          client
              .flightClient()
              .getInfo(
                  FlightDescriptor.command("SELECT id FROM t".getBytes(StandardCharsets.UTF_8)));
      FlightEndpoint onNodeOne =
          info.getEndpoints().stream()
              .filter(e -> e.getLocations().get(0).getUri().getPort() == cluster.uri(1).getPort())
              .findFirst()
              .orElseThrow();
      try (QuiverClient reader = QuiverClient.connect(cluster.uri(1));
          FlightStream stream = reader.flightClient().getStream(onNodeOne.getTicket())) {
        assertThat(stream.next()).isTrue(); // then stop reading: the node waits on backpressure
        JsonNode running = only(client.action("queries"), "SELECT id FROM t");
        String node = running.get("node").asText();
        assertThat(node).endsWith(":" + cluster.uri(1).getPort());
        assertThat(running.get("elapsedMillis").asLong()).isNotNegative();

        CliRun listed = CliRun.of("queries", "--server=" + cluster.uri(0));
        assertThat(listed.out()).contains(running.get("id").asText()).contains("SELECT id FROM t");

        CliRun cancelled =
            CliRun.of(
                "cancel", "--server=" + cluster.uri(0), running.get("id").asText(), "--node", node);
        assertThat(cancelled.exit()).as(cancelled.err()).isZero();
        assertThat(cancelled.out()).contains("cancelled " + running.get("id").asText());
        CliRun misnamed =
            CliRun.of("cancel", "--server=" + cluster.uri(0), "q1", "--node", "no node at all");
        assertThat(misnamed.exit()).isNotZero();
        assertThat(misnamed.err())
            .contains("INVALID_ARGUMENT")
            .contains("Node 'no node at all' is not an address");
        assertThatThrownBy(
                () -> {
                  while (stream.next()) {
                    // the batches already sent, then the cancellation
                  }
                })
            .isInstanceOfSatisfying(
                FlightRuntimeException.class,
                e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.CANCELLED));
      }
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> client.action("queries").isEmpty());
      assertThatThrownBy(() -> client.action("cancel-query", Map.of("id", "q999999")))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND))
          .hasMessageContaining("q999999");
    }
  }

  private static JsonNode only(JsonNode queries, String what) {
    List<JsonNode> matching = new ArrayList<>();
    queries.forEach(
        query -> {
          if (query.get("what").asText().contains(what)) {
            matching.add(query);
          }
        });
    assertThat(matching).as("%s in %s", what, queries).hasSize(1);
    return matching.get(0);
  }
}
