package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.client.BatchStream;
import dev.quiver.client.DatasetInfo;
import dev.quiver.client.QuiverClient;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plain Flight against a real node, with DuckDB over the same files as the reference. */
class FlightNodeTest {
  private static final int FILES = 5;
  private static final int ROWS_PER_FILE = 20_000;
  private static final String COLUMNS =
      "id, k, x, s, CAST(d AS VARCHAR), epoch_us(ts), epoch_us(tstz), dec";

  @TempDir static Path data;
  static DuckDb duckdb;
  static TestNode node;
  static Path events;

  @BeforeAll
  static void writeDataAndStartNode() {
    duckdb = new DuckDb();
    events = data.resolve("events");
    for (int f = 0; f < FILES; f++) {
      Path file = events.resolve("part-" + f + ".parquet");
      file.getParent().toFile().mkdirs();
      duckdb.writeParquet(
          eventsSelect(f * ROWS_PER_FILE, (f + 1) * ROWS_PER_FILE),
          file,
          "ROW_GROUP_SIZE " + (1000 + f * 3000));
    }
    node =
        TestNode.start(
            Map.of("events", events.toString()),
            Map.of("quiver.split-bytes", "16KB", "quiver.batch-rows", 3000));
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
    duckdb.close();
  }

  static String eventsSelect(long from, long to) {
    return """
        SELECT i AS id,
          CASE WHEN i % 10 = 0 THEN NULL ELSE (i % 97)::INTEGER END AS k,
          CASE WHEN i % 7 = 0 THEN NULL ELSE i * 0.5 END::DOUBLE AS x,
          CASE WHEN i % 11 = 0 THEN NULL ELSE 'name-' || (i % 13) || CASE WHEN i % 5 = 0 THEN ' Zürich ✓' ELSE '' END END AS s,
          DATE '2024-01-01' + (i % 400)::INTEGER AS d,
          make_timestamp(1704067200000000 + i * 1000003) AS ts,
          CAST(make_timestamp(1704067200000000 + i * 7) AS TIMESTAMPTZ) AS tstz,
          CAST(i * 0.01 AS DECIMAL(12,2)) AS dec
        FROM range(FROM_ROW, TO_ROW) t(i)
        """
        .replace("FROM_ROW", Long.toString(from))
        .replace("TO_ROW", Long.toString(to));
  }

  private QuiverClient client() {
    return QuiverClient.connect(node.uri());
  }

  @Test
  void listFlightsDescribesEveryDatasetWithSchemaRowsAndBytes() throws Exception {
    try (QuiverClient client = client()) {
      List<DatasetInfo> datasets = client.datasets();
      assertThat(datasets).extracting(DatasetInfo::name).containsExactly("events");
      DatasetInfo info = datasets.get(0);
      assertThat(info.rows())
          .isEqualTo(
              duckdb.queryLong("SELECT count(*) FROM read_parquet('" + events + "/*.parquet')"));
      assertThat(info.bytes())
          .isEqualTo(
              Files.walk(events)
                  .filter(Files::isRegularFile)
                  .mapToLong(p -> p.toFile().length())
                  .sum());
      assertThat(info.schema().getFields())
          .extracting(Field::getName)
          .containsExactly("id", "k", "x", "s", "d", "ts", "tstz", "dec");
      assertThat(info.endpoints())
          .as("small splits give several endpoints per file")
          .isGreaterThan(FILES);
    }
  }

  @Test
  void getSchemaMatchesTheFlightInfoSchema() throws Exception {
    try (QuiverClient client = client()) {
      assertThat(client.schema("events")).isEqualTo(client.info("events").schema());
    }
  }

  @Test
  void readsEveryRowAsDuckDbDoesThroughAllEndpointsInParallel() throws Exception {
    List<String> expected =
        CanonicalRows.ofDuckDb(
            duckdb.query("SELECT " + COLUMNS + " FROM read_parquet('" + events + "/*.parquet')"));
    try (QuiverClient client = client();
        BatchStream stream = client.read("events")) {
      List<String> actual = CanonicalRows.of(stream);
      assertThat(actual).hasSize(FILES * ROWS_PER_FILE);
      assertThat(actual).isEqualTo(expected);
    }
  }

  @Test
  void aNodeThatScansOneStreamAtATimeStillServesParallelReadersEveryRow() throws Exception {
    List<String> expected =
        CanonicalRows.ofDuckDb(
            duckdb.query("SELECT " + COLUMNS + " FROM read_parquet('" + events + "/*.parquet')"));
    try (TestNode oneAtATime =
            TestNode.start(
                Map.of("events", events.toString()),
                Map.of("quiver.split-bytes", "16KB", "quiver.concurrent-scans", 1));
        QuiverClient client = QuiverClient.connect(oneAtATime.uri());
        BatchStream stream = client.read("events")) {
      assertThat(client.flightClient().getInfo(FlightDescriptor.path("events")).getEndpoints())
          .hasSizeGreaterThan(3);
      assertThat(CanonicalRows.of(stream)).isEqualTo(expected);
    }
  }

  @Test
  void everyBatchIsBoundedByTheConfiguredRows() throws Exception {
    try (QuiverClient client = client();
        BatchStream stream = client.read("events")) {
      int batches = 0;
      while (stream.next()) {
        assertThat(stream.root().getRowCount()).isBetween(1, 3000);
        batches++;
      }
      assertThat(batches).isGreaterThanOrEqualTo(FILES * ROWS_PER_FILE / 3000);
    }
  }

  @Test
  void reportsAnUnknownDatasetAsNotFoundNamingIt() throws Exception {
    try (QuiverClient client = client()) {
      assertThatThrownBy(() -> client.info("nope"))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND))
          .hasMessageContaining("Unknown dataset 'nope'")
          .hasMessageContaining("events");
    }
  }

  @Test
  void reportsAMalformedTicketAsInvalidArgument() throws Exception {
    try (QuiverClient client = client();
        FlightStream stream =
            client
                .flightClient()
                .getStream(new Ticket("garbage".getBytes(StandardCharsets.UTF_8)))) {
      assertThatThrownBy(stream::next)
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT))
          .hasMessageContaining("Malformed ticket");
    }
  }

  @Test
  void rejectsATicketOfAnotherVersionOrForeignFile() throws Exception {
    String otherVersion =
        "{\"kind\":\"scan\",\"version\":9,\"dataset\":\"events\",\"file\":0,\"path\":\"x\",\"firstRowGroup\":0,\"endRowGroup\":1,\"columns\":[]}";
    String foreignFile =
        "{\"kind\":\"scan\",\"version\":5,\"dataset\":\"events\",\"file\":0,\"path\":\"/etc/passwd\",\"firstRowGroup\":0,\"endRowGroup\":1,\"columns\":[]}";
    try (QuiverClient client = client()) {
      assertThat(statusOf(client.flightClient(), otherVersion))
          .hasMessageContaining("Unsupported ticket version 9");
      assertThat(statusOf(client.flightClient(), foreignFile))
          .hasMessageContaining("names file passwd") // paths in messages keep their last name
          .hasMessageContaining("not file 0");
    }
  }

  private static FlightRuntimeException statusOf(FlightClient client, String ticket)
      throws Exception {
    try (FlightStream stream =
        client.getStream(new Ticket(ticket.getBytes(StandardCharsets.UTF_8)))) {
      stream.next();
    } catch (FlightRuntimeException e) {
      assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT);
      return e;
    }
    throw new AssertionError("ticket was accepted: " + ticket);
  }

  @Test
  void answersAQueryWithoutFromAsACommandDescriptor() throws Exception {
    try (QuiverClient client = client()) {
      FlightInfo info =
          client
              .flightClient()
              .getInfo(FlightDescriptor.command("SELECT 1".getBytes(StandardCharsets.UTF_8)));
      assertThat(info.getEndpoints()).hasSize(1);
      try (FlightStream stream =
          client.flightClient().getStream(info.getEndpoints().get(0).getTicket())) {
        List<Object> values = new ArrayList<>();
        while (stream.next()) {
          for (int i = 0; i < stream.getRoot().getRowCount(); i++) {
            values.add(stream.getRoot().getVector(0).getObject(i));
          }
        }
        assertThat(values).containsExactly(1);
      }
    }
  }

  @Test
  void cancellingMidStreamFreesTheStreamsMemoryAndTheNodeKeepsServing() throws Exception {
    try (QuiverClient client = client()) {
      FlightInfo info = client.flightClient().getInfo(FlightDescriptor.path("events"));
      FlightStream stream = client.flightClient().getStream(info.getEndpoints().get(0).getTicket());
      assertThat(stream.next()).isTrue();
      stream.cancel("test cancels", null);
      stream.close();
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                assertThat(node.node().activeStreams()).isZero();
                assertThat(node.rootAllocator().getAllocatedMemory()).isZero();
              });
      try (BatchStream again = client.read("events")) {
        assertThat(CanonicalRows.of(again)).hasSize(FILES * ROWS_PER_FILE);
      }
    }
  }

  @Test
  void closingAReadEarlyStopsEveryFetch() throws Exception {
    try (QuiverClient client = client()) {
      try (BatchStream stream = client.read("events")) {
        assertThat(stream.next()).isTrue();
      }
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(() -> assertThat(node.node().activeStreams()).isZero());
    }
  }

  @Test
  void healthServiceOnTheFlightPortReportsServing() {
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", node.uri().getPort()).usePlaintext().build();
    try {
      HealthCheckResponse response =
          HealthGrpc.newBlockingStub(channel)
              .check(HealthCheckRequest.newBuilder().setService("").build());
      assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
      HealthCheckResponse flight =
          HealthGrpc.newBlockingStub(channel)
              .check(
                  HealthCheckRequest.newBuilder()
                      .setService("arrow.flight.protocol.FlightService")
                      .build());
      assertThat(flight.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void actionsReportHealthAndTheCatalog() throws Exception {
    try (QuiverClient client = client()) {
      List<String> actions = new ArrayList<>();
      client.flightClient().listActions().forEach(a -> actions.add(a.getType()));
      assertThat(actions)
          .contains(
              "health",
              "datasets",
              "stage.run-task",
              "fragment.release",
              "local-flight-info",
              "CreatePreparedStatement",
              "ClosePreparedStatement",
              "CancelFlightInfo")
          .doesNotHaveDuplicates()
          .noneMatch(a -> a.startsWith("fragment.") && !a.equals("fragment.release"));

      assertThat(client.action("health").get("status").asText()).isEqualTo("SERVING");
      JsonNode datasets = client.action("datasets");
      assertThat(datasets.get(0).get("name").asText()).isEqualTo("events");
      assertThat(datasets.get(0).get("files").asInt()).isEqualTo(FILES);
      assertThat(datasets.get(0).get("rows").asLong()).isEqualTo(FILES * ROWS_PER_FILE);
      assertThatThrownBy(() -> client.action("explode"))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT))
          .hasMessageContaining("Unknown action 'explode'");
    }
  }
}
