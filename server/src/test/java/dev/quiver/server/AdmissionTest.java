package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.quiver.client.BatchStream;
import dev.quiver.client.QuiverClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.PollInfo;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node runs at once only as many queries as their memory limits fit into its own: with room for
 * two, a third waits for a slot, then fails with RESOURCE_EXHAUSTED naming the node; once a query
 * ends, the next one runs.
 */
class AdmissionTest {
  @TempDir static Path data;
  static DuckDb duckdb;
  static Path file;

  @BeforeAll
  static void writeFile() {
    duckdb = new DuckDb();
    file = data.resolve("t.parquet");
    duckdb.writeParquet(
        "SELECT i % 10000 AS k, i AS a FROM range(0, 100000) t(i)", file, "ROW_GROUP_SIZE 50000");
  }

  @AfterAll
  static void close() throws Exception {
    duckdb.close();
  }

  @Test
  void queriesBeyondTheNodesSlotsWaitThenFailNamingTheNode() throws Exception {
    Map<String, Object> properties =
        Map.of(
            "quiver.memory-limit", "64MB",
            "quiver.query-memory-limit", "32MB",
            "quiver.admission-timeout", "1s",
            "quiver.gather-threshold", "1KB");
    String sql = "SELECT k, SUM(a) FROM t GROUP BY k";
    try (TestCluster cluster =
            TestCluster.start(
                List.of(Map.of("t", file.toString()), Map.of("t", file.toString())), properties);
        BufferAllocator allocator = new RootAllocator();
        FlightClient client =
            FlightClient.builder(
                    allocator, Location.forGrpcInsecure("127.0.0.1", cluster.uri(0).getPort()))
                .build()) {
      // Two polled, shuffled queries keep their answers on the nodes until read: both slots taken.
      FlightInfo first = poll(client, sql);
      FlightInfo second = poll(client, sql);
      assertThat(cluster.node(1).node().activeFragments()).isEqualTo(2);
      assertThatThrownBy(() -> poll(client, sql))
          .isInstanceOf(FlightRuntimeException.class)
          .hasMessageContaining("for memory on")
          .hasMessageContaining("quiver.admission-timeout")
          .satisfies(
              e ->
                  assertThat(((FlightRuntimeException) e).status().code())
                      .isEqualTo(FlightStatusCode.RESOURCE_EXHAUSTED));
      assertThat(read(allocator, first)).isEqualTo(10_000);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> cluster.node(1).node().activeFragments() == 1);
      try (QuiverClient quiver = QuiverClient.connect(cluster.uri(1));
          BatchStream stream = quiver.query("SELECT COUNT(*) FROM t GROUP BY k % 2")) {
        assertThat(AggregateRows.of(stream)).containsExactly("100000", "100000");
      }
      assertThat(read(allocator, second)).isEqualTo(10_000);
    }
  }

  /** Polls a query to its end and returns the FlightInfo that reads its answer. */
  private static FlightInfo poll(FlightClient client, String sql) {
    PollInfo poll = client.pollInfo(FlightDescriptor.command(sql.getBytes(StandardCharsets.UTF_8)));
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (poll.getFlightDescriptor().isPresent()) {
      assertThat(System.nanoTime() - deadline).as("polled for a minute").isNegative();
      poll = client.pollInfo(poll.getFlightDescriptor().get());
    }
    return poll.getFlightInfo();
  }

  /** Reads every endpoint of an answer left on its owners; returns the rows. */
  private static long read(BufferAllocator allocator, FlightInfo info) throws Exception {
    long rows = 0;
    for (FlightEndpoint endpoint : info.getEndpoints()) {
      try (FlightClient owner =
              FlightClient.builder(allocator, endpoint.getLocations().get(0)).build();
          FlightStream stream = owner.getStream(endpoint.getTicket())) {
        while (stream.next()) {
          rows += stream.getRoot().getRowCount();
        }
      }
    }
    return rows;
  }
}
