package dev.quiver.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.quiver.client.BatchStream;
import dev.quiver.client.QuiverClient;
import java.nio.file.Files;
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
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A distributed sort of three million rows over three nodes: the FlightInfo has one endpoint per
 * range of sort keys, in order, and reading them one after the other gives DuckDB's order; every
 * node frees the query once its range is read.
 */
class DistributedSortTest {
  @TempDir static Path data;
  static DuckDb duckdb;
  static TestCluster cluster;
  static String glob;

  @BeforeAll
  static void writeDataAndStartNodes() throws Exception {
    duckdb = new DuckDb();
    Path all = Files.createDirectories(data.resolve("all"));
    List<Map<String, String>> local = new ArrayList<>();
    for (int part = 0; part < 3; part++) {
      Path file = all.resolve("part-" + part + ".parquet");
      duckdb.writeParquet(
          ("SELECT i AS id, CASE WHEN i %% 1000 = 0 THEN NULL ELSE (hash(i) %% 50000)::INTEGER END"
                  + " AS k FROM range(%d, %d) t(i)")
              .formatted(part * 1_000_000L, (part + 1) * 1_000_000L),
          file,
          "ROW_GROUP_SIZE 250000");
      Path own = Files.createDirectories(data.resolve("node-" + part));
      Files.createLink(own.resolve(file.getFileName()), file);
      local.add(Map.of("t", own.toString()));
    }
    glob = all + "/*.parquet";
    cluster = TestCluster.start(local, Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    cluster.close();
    duckdb.close();
  }

  @Test
  void threeMillionRowsReadThroughTheirOrderedEndpointsAreInDuckDbsOrder() throws Exception {
    String sql = "SELECT id, k FROM t ORDER BY k DESC NULLS FIRST, id";
    List<List<Object>> expected =
        duckdb.query(sql.replace("FROM t", "FROM read_parquet('" + glob + "')"));
    try (QuiverClient client = QuiverClient.connect(cluster.uri(0))) {
      FlightInfo info =
          client.flightClient().getInfo(FlightDescriptor.command(sql.getBytes(UTF_8)));
      assertThat(info.getOrdered()).isTrue();
      assertThat(info.getEndpoints()).hasSize(3);
      assertThat(info.getEndpoints())
          .extracting(e -> e.getLocations().get(0).getUri().getPort())
          .containsExactlyInAnyOrder(
              cluster.uri(0).getPort(), cluster.uri(1).getPort(), cluster.uri(2).getPort());
      int row = 0;
      long[] rowsPerRange = new long[3];
      for (int range = 0; range < 3; range++) {
        FlightEndpoint endpoint = info.getEndpoints().get(range);
        try (QuiverClient owner = QuiverClient.connect(endpoint.getLocations().get(0).getUri());
            FlightStream stream = owner.flightClient().getStream(endpoint.getTicket())) {
          while (stream.next()) {
            BigIntVector ids = (BigIntVector) stream.getRoot().getVector("id");
            IntVector keys = (IntVector) stream.getRoot().getVector("k");
            for (int r = 0; r < stream.getRoot().getRowCount(); r++, row++) {
              List<Object> want = expected.get(row);
              assertThat(ids.get(r)).as("id at row %d", row).isEqualTo(want.get(0));
              assertThat(keys.isNull(r) ? null : keys.get(r))
                  .as("k at row %d", row)
                  .isEqualTo(want.get(1));
            }
            rowsPerRange[range] += stream.getRoot().getRowCount();
          }
        }
      }
      assertThat(row).isEqualTo(3_000_000);
      // Boundaries from samples: every range holds a fair share of the rows.
      for (long rows : rowsPerRange) {
        assertThat(rows).isBetween(500_000L, 1_500_000L);
      }
    }
    // Each owner frees its range once it has sent it (after the client saw its last batch).
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> cluster.nodes().stream().allMatch(n -> n.node().activeFragments() == 0));
  }

  @Test
  void aNodeThatIsDownFailsTheSortNamingItAndTheOthersFreeTheQuery() throws Exception {
    Path own = data.resolve("node-0");
    try (TestCluster two =
        TestCluster.start(
            List.of(Map.of("t", own.toString()), Map.of("t", own.toString())), Map.of())) {
      int port = two.uri(1).getPort();
      two.stop(1);
      try (QuiverClient client = QuiverClient.connect(two.uri(0))) {
        String sql = "SELECT id FROM t ORDER BY k, id";
        assertThatThrownBy(
                () -> client.flightClient().getInfo(FlightDescriptor.command(sql.getBytes(UTF_8))))
            .isInstanceOfSatisfying(
                FlightRuntimeException.class,
                e -> {
                  assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAVAILABLE);
                  assertThat(e.getMessage()).contains("127.0.0.1:" + port);
                });
      }
      // The coordinator's own scan may still be finishing when the peer's failure ends the query.
      await().atMost(Duration.ofSeconds(10)).until(() -> two.node(0).node().activeFragments() == 0);
    }
  }

  @Test
  void theQuiverClientReadsAnOrderedFlightInOrder() throws Exception {
    String sql = "SELECT id, k FROM t WHERE id % 100 = 7 ORDER BY k, id DESC";
    try (QuiverClient client = QuiverClient.connect(cluster.uri(1));
        BatchStream stream = client.query(sql)) {
      assertThat(CanonicalRows.inOrder(stream))
          .isEqualTo(
              CanonicalRows.ofDuckDbInOrder(
                  duckdb.query(sql.replace("FROM t", "FROM read_parquet('" + glob + "')"))));
    }
  }
}
