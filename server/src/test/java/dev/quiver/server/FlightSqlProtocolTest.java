package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.CancelFlightInfoRequest;
import org.apache.arrow.flight.CancelStatus;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.PollInfo;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.flight.sql.FlightSqlProducer.Schemas;
import org.apache.arrow.flight.sql.impl.FlightSql.SqlInfo;
import org.apache.arrow.flight.sql.util.TableRef;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.Text;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flight SQL as the protocol specifies it, with Arrow's own Flight SQL client: metadata commands
 * with their filters and schemas, SqlInfo, XDBC type info, cancellation of a running query on every
 * node, PollFlightInfo, and UNIMPLEMENTED (never a hang or INTERNAL) for what Quiver does not do.
 */
class FlightSqlProtocolTest {
  @TempDir static Path data;
  static TestCluster cluster;
  BufferAllocator allocator;
  FlightSqlClient client;

  @BeforeAll
  static void start() throws Exception {
    try (DuckDb duckdb = new DuckDb()) {
      duckdb.writeParquet(
          "SELECT i AS id, i % 100003 AS k, i * 2 AS a FROM range(0, 2000000) t(i)",
          data.resolve("big.parquet"), "ROW_GROUP_SIZE 100000");
      duckdb.writeParquet(
          "SELECT i AS id, 'x' || i AS label FROM range(0, 10) t(i)",
          data.resolve("small.parquet"),
          "");
    }
    Map<String, String> datasets =
        Map.of(
            "events", data.resolve("big.parquet").toString(),
            "event_types", data.resolve("small.parquet").toString());
    cluster =
        TestCluster.start(List.of(datasets, datasets), Map.of("quiver.gather-threshold", "1KB"));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @BeforeEach
  void connect() {
    allocator = new RootAllocator();
    client =
        new FlightSqlClient(
            FlightClient.builder(
                    allocator, Location.forGrpcInsecure("127.0.0.1", cluster.uri(0).getPort()))
                .build());
  }

  @AfterEach
  void close() throws Exception {
    client.close();
    allocator.close();
  }

  @Test
  void tablesFilterByPatternsAndCarryTheirArrowSchemas() throws Exception {
    assertThat(tableNames(client.getTables(null, null, "%", null, false)))
        .containsExactly("event_types", "events");
    assertThat(tableNames(client.getTables(null, null, "event\\_%", null, false)))
        .containsExactly("event_types");
    assertThat(tableNames(client.getTables(null, null, "event_", null, false)))
        .containsExactly("events");
    assertThat(tableNames(client.getTables(null, "nope", null, null, false))).isEmpty();
    assertThat(tableNames(client.getTables("some_catalog", null, null, null, false))).isEmpty();
    assertThat(tableNames(client.getTables(null, null, null, List.of("VIEW"), false))).isEmpty();

    FlightInfo info = client.getTables(null, "main", "events", List.of("TABLE"), true);
    assertThat(info.getSchema()).isEqualTo(Schemas.GET_TABLES_SCHEMA);
    try (FlightStream stream = client.getStream(info.getEndpoints().get(0).getTicket())) {
      assertThat(stream.next()).isTrue();
      VectorSchemaRoot root = stream.getRoot();
      assertThat(root.getRowCount()).isEqualTo(1);
      byte[] bytes = ((VarBinaryVector) root.getVector("table_schema")).get(0);
      Schema schema = Schema.deserializeMessage(java.nio.ByteBuffer.wrap(bytes));
      assertThat(schema.getFields()).extracting(f -> f.getName()).containsExactly("id", "k", "a");
    }
  }

  @Test
  void catalogsSchemasTypesAndKeysAreWellFormed() throws Exception {
    assertThat(read(client.getCatalogs(), "catalog_name")).isEmpty();
    assertThat(read(client.getSchemas(null, "ma%"), "db_schema_name")).containsExactly("main");
    assertThat(read(client.getSchemas(null, "x%"), "db_schema_name")).isEmpty();
    FlightInfo keys = client.getPrimaryKeys(TableRef.of(null, "main", "events"));
    assertThat(keys.getSchema()).isEqualTo(Schemas.GET_PRIMARY_KEYS_SCHEMA);
    assertThat(read(keys, "column_name")).isEmpty();
    assertThat(read(client.getXdbcTypeInfo(), "type_name"))
        .contains("BIGINT", "DOUBLE", "DECIMAL", "VARCHAR", "DATE", "TIMESTAMP");
    assertThat(read(client.getXdbcTypeInfo(java.sql.Types.BIGINT), "type_name"))
        .containsExactly("BIGINT");
  }

  @Test
  void sqlInfoDescribesAReadOnlyServerWithoutTransactions() throws Exception {
    FlightInfo info =
        client.getSqlInfo(
            SqlInfo.FLIGHT_SQL_SERVER_NAME,
            SqlInfo.FLIGHT_SQL_SERVER_READ_ONLY,
            SqlInfo.FLIGHT_SQL_SERVER_TRANSACTION,
            SqlInfo.SQL_IDENTIFIER_QUOTE_CHAR);
    List<String> values = new ArrayList<>();
    try (FlightStream stream = client.getStream(info.getEndpoints().get(0).getTicket())) {
      while (stream.next()) {
        VectorSchemaRoot root = stream.getRoot();
        for (int r = 0; r < root.getRowCount(); r++) {
          values.add(
              root.getVector("info_name").getObject(r)
                  + "="
                  + root.getVector("value").getObject(r));
        }
      }
    }
    assertThat(values)
        .contains(
            SqlInfo.FLIGHT_SQL_SERVER_NAME_VALUE + "=Quiver",
            SqlInfo.FLIGHT_SQL_SERVER_READ_ONLY_VALUE + "=true",
            SqlInfo.FLIGHT_SQL_SERVER_TRANSACTION_VALUE + "=0",
            SqlInfo.SQL_IDENTIFIER_QUOTE_CHAR_VALUE + "=\"");
  }

  @Test
  void cancelFlightInfoStopsARunningAggregationOnEveryNode() throws Exception {
    FlightInfo info = client.execute("SELECT k, SUM(a) FROM events GROUP BY k");
    try (FlightStream stream = client.getStream(info.getEndpoints().get(0).getTicket())) {
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(5))
          .until(() -> cluster.nodes().stream().anyMatch(n -> n.node().activeFragments() > 0));
      assertThat(client.cancelFlightInfo(new CancelFlightInfoRequest(info)).getStatus())
          .isEqualTo(CancelStatus.CANCELLED);
      assertThatThrownBy(
              () -> {
                while (stream.next()) {
                  // drain until the cancel arrives
                }
              })
          .isInstanceOf(FlightRuntimeException.class)
          .satisfies(e -> assertStatus(e, FlightStatusCode.CANCELLED));
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> cluster.nodes().stream().allMatch(n -> n.node().activeFragments() == 0));
    assertThat(read(client.execute("SELECT COUNT(*) AS n FROM event_types"), "n"))
        .containsExactly("20");
  }

  @Test
  void statementEndpointsAreTicketStatementQueriesAndACancelReachesEveryNode() throws Exception {
    FlightInfo info = client.execute("SELECT id, k FROM events WHERE id < 300000");
    assertThat(info.getEndpoints())
        .allSatisfy(
            e ->
                assertThat(
                        com.google.protobuf.Any.parseFrom(e.getTicket().getBytes())
                            .is(
                                org.apache.arrow.flight.sql.impl.FlightSql.TicketStatementQuery
                                    .class))
                    .isTrue());
    assertThat(
            info.getEndpoints().stream()
                .map(e -> e.getLocations().get(0).getUri().getPort())
                .distinct())
        .containsExactlyInAnyOrder(cluster.uri(0).getPort(), cluster.uri(1).getPort());

    // Cancelled before any endpoint is read: every node refuses its endpoints when they come.
    assertThat(client.cancelFlightInfo(new CancelFlightInfoRequest(info)).getStatus())
        .isEqualTo(CancelStatus.CANCELLING);
    for (var endpoint : info.getEndpoints()) {
      try (FlightClient node =
              FlightClient.builder(allocator, endpoint.getLocations().get(0)).build();
          FlightStream stream = node.getStream(endpoint.getTicket())) {
        assertThatThrownBy(
                () -> {
                  while (stream.next()) {
                    // read until refused
                  }
                })
            .satisfies(e -> assertStatus(e, FlightStatusCode.CANCELLED));
      }
    }
  }

  @Test
  void pollFlightInfoAnswersAtOnceWithTheCompleteInfo() throws Exception {
    try (FlightClient plain =
        FlightClient.builder(
                allocator, Location.forGrpcInsecure("127.0.0.1", cluster.uri(1).getPort()))
            .build()) {
      PollInfo poll =
          plain.pollInfo(
              FlightDescriptor.command(
                  "SELECT id, label FROM event_types".getBytes(StandardCharsets.UTF_8)));
      assertThat(poll.getProgress()).contains(1.0);
      assertThat(poll.getFlightDescriptor()).isEmpty();
      assertThat(poll.getFlightInfo().getEndpoints()).isNotEmpty();
    }
  }

  @Test
  void pollingAnAggregationReportsProgressUntilItsAnswerIsReady() throws Exception {
    try (FlightClient plain =
        FlightClient.builder(
                allocator, Location.forGrpcInsecure("127.0.0.1", cluster.uri(0).getPort()))
            .build()) {
      String sql = "SELECT k, SUM(a) FROM events GROUP BY k";
      byte[] statement =
          com.google.protobuf.Any.pack(
                  org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementQuery.newBuilder()
                      .setQuery(sql)
                      .build())
              .toByteArray();
      for (FlightDescriptor descriptor :
          List.of(
              FlightDescriptor.command(sql.getBytes(StandardCharsets.UTF_8)),
              FlightDescriptor.command(statement))) {
        java.util.concurrent.atomic.AtomicReference<PollInfo> latest =
            new java.util.concurrent.atomic.AtomicReference<>(plain.pollInfo(descriptor));
        assertThat(latest.get().getFlightDescriptor())
            .as("the first poll only starts the query")
            .isPresent();
        List<Double> progress = new ArrayList<>();
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(10))
            .until(
                () -> {
                  PollInfo running = latest.get();
                  assertThat(running.getFlightInfo().getEndpoints()).isEmpty();
                  progress.add(running.getProgress().orElseThrow());
                  latest.set(plain.pollInfo(running.getFlightDescriptor().orElseThrow()));
                  return latest.get().getFlightDescriptor().isEmpty();
                });
        PollInfo poll = latest.get();
        assertThat(progress).isSorted().allSatisfy(p -> assertThat(p).isBetween(0.0, 1.0));
        assertThat(poll.getProgress()).contains(1.0);
        FlightInfo done = poll.getFlightInfo();
        // Shuffled and unordered: each owner serves its share of the answer itself.
        assertThat(new String(done.getAppMetadata(), StandardCharsets.UTF_8))
            .contains("\"resultVia\":\"owners\"");
        assertThat(
                done.getEndpoints().stream().map(e -> e.getLocations().get(0).getUri().getPort()))
            .containsExactlyInAnyOrder(cluster.uri(0).getPort(), cluster.uri(1).getPort());
        long groups = 0;
        long total = 0;
        for (var endpoint : done.getEndpoints()) {
          try (FlightClient owner =
                  FlightClient.builder(allocator, endpoint.getLocations().get(0)).build();
              FlightStream stream = owner.getStream(endpoint.getTicket())) {
            assertThat(stream.getSchema().getFields())
                .extracting(f -> f.getName())
                .containsExactly("k", "SUM(a)");
            while (stream.next()) {
              groups += stream.getRoot().getRowCount();
              org.apache.arrow.vector.BigIntVector sums =
                  (org.apache.arrow.vector.BigIntVector) stream.getRoot().getVector(1);
              for (int r = 0; r < sums.getValueCount(); r++) {
                total += sums.get(r);
              }
            }
          }
        }
        assertThat(groups).isEqualTo(100_003);
        // Both nodes serve the same 2M rows with a = 2i: the sums add up to 2 × 2 × Σi.
        assertThat(total).isEqualTo(4L * 1_999_999L * 2_000_000L / 2);
        // Each share is read once; then it is gone.
        var first = done.getEndpoints().get(0);
        try (FlightClient owner =
            FlightClient.builder(allocator, first.getLocations().get(0)).build()) {
          assertThatThrownBy(
                  () -> {
                    try (FlightStream again = owner.getStream(first.getTicket())) {
                      again.next();
                    }
                  })
              .satisfies(e -> assertStatus(e, FlightStatusCode.NOT_FOUND));
        }
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> cluster.nodes().stream().allMatch(n -> n.node().activeFragments() == 0));
      }

      // An ordered answer is assembled on the coordinator and read from it, once.
      PollInfo ordered =
          await()
              .atMost(Duration.ofSeconds(60))
              .pollInterval(Duration.ofMillis(10))
              .until(
                  () -> {
                    PollInfo first =
                        plain.pollInfo(
                            FlightDescriptor.command(
                                (sql + " ORDER BY 2 DESC LIMIT 3")
                                    .getBytes(StandardCharsets.UTF_8)));
                    PollInfo latest = first;
                    while (latest.getFlightDescriptor().isPresent()) {
                      latest = plain.pollInfo(latest.getFlightDescriptor().get());
                    }
                    return latest;
                  },
                  p -> p.getFlightDescriptor().isEmpty());
      assertThat(ordered.getFlightInfo().getEndpoints()).hasSize(1);
      long rows = 0;
      try (FlightStream stream =
          plain.getStream(ordered.getFlightInfo().getEndpoints().get(0).getTicket())) {
        while (stream.next()) {
          rows += stream.getRoot().getRowCount();
        }
      }
      assertThat(rows).isEqualTo(3);
      // A polled query can be cancelled with the FlightInfo of any of its polls.
      PollInfo running =
          plain.pollInfo(FlightDescriptor.command(sql.getBytes(StandardCharsets.UTF_8)));
      assertThat(
              client
                  .cancelFlightInfo(new CancelFlightInfoRequest(running.getFlightInfo()))
                  .getStatus())
          .isEqualTo(CancelStatus.CANCELLED);
      assertThatThrownBy(() -> plain.pollInfo(running.getFlightDescriptor().orElseThrow()))
          .satisfies(e -> assertStatus(e, FlightStatusCode.NOT_FOUND));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> cluster.nodes().stream().allMatch(n -> n.node().activeFragments() == 0));
    }
  }

  @Test
  void writesTransactionsAndSubstraitAreUnimplemented() {
    assertThatThrownBy(() -> client.executeUpdate("INSERT INTO events VALUES (1, 2, 3)"))
        .satisfies(e -> assertStatus(e, FlightStatusCode.UNIMPLEMENTED))
        .hasMessageContaining("read-only");
    assertThatThrownBy(() -> client.beginTransaction())
        .satisfies(e -> assertStatus(e, FlightStatusCode.UNIMPLEMENTED))
        .hasMessageContaining("no transactions");
    assertThatThrownBy(
            () -> client.executeSubstrait(new FlightSqlClient.SubstraitPlan(new byte[] {1}, "0.1")))
        .satisfies(e -> assertStatus(e, FlightStatusCode.UNIMPLEMENTED))
        .hasMessageContaining("Substrait");
  }

  private List<String> tableNames(FlightInfo info) throws Exception {
    return read(info, "table_name");
  }

  private List<String> read(FlightInfo info, String column) throws Exception {
    List<String> values = new ArrayList<>();
    for (var endpoint : info.getEndpoints()) {
      try (FlightStream stream = client.getStream(endpoint.getTicket())) {
        while (stream.next()) {
          VectorSchemaRoot root = stream.getRoot();
          for (int r = 0; r < root.getRowCount(); r++) {
            Object value = root.getVector(column).getObject(r);
            values.add(value instanceof Text text ? text.toString() : String.valueOf(value));
          }
        }
      }
    }
    return values;
  }

  private static void assertStatus(Throwable e, FlightStatusCode code) {
    assertThat(((FlightRuntimeException) e).status().code()).as(e.getMessage()).isEqualTo(code);
  }
}
