package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.quiver.client.BatchStream;
import dev.quiver.client.QueryStatistics;
import dev.quiver.client.QuiverClient;
import dev.quiver.server.catalog.Catalog;
import dev.quiver.server.sql.PlanCodec;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.SyncPutListener;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Distributed queries fail cleanly: a peer that is down or dies mid-query gives UNAVAILABLE naming
 * it, a client cancel stops the query on every node, too many groups give RESOURCE_EXHAUSTED, and
 * exchanges of unknown or expired queries are refused. Every node frees the query's memory (each
 * node's allocator is checked when it stops) and keeps serving.
 */
class ClusterFailureTest {
  private static final Duration BOUND = Duration.ofSeconds(30);

  @TempDir static Path data;
  static DuckDb duckdb;
  static Path big;
  static Path small;

  @BeforeAll
  static void writeFiles() {
    duckdb = new DuckDb();
    big = data.resolve("big.parquet");
    duckdb.writeParquet(
        "SELECT i AS id, i % 200003 AS k, i * 3 AS a FROM range(0, 3000000) t(i)",
        big, "ROW_GROUP_SIZE 100000");
    small = data.resolve("small.parquet");
    duckdb.writeParquet(
        "SELECT i AS id, i % 10 AS k, i * 3 AS a FROM range(0, 1000) t(i)", small, "");
  }

  @AfterAll
  static void close() throws Exception {
    duckdb.close();
  }

  private static TestCluster cluster(int nodes, Path file, Map<String, Object> properties) {
    List<Map<String, String>> datasets = new ArrayList<>();
    for (int n = 0; n < nodes; n++) {
      datasets.add(Map.of("t", file.toString()));
    }
    Map<String, Object> all = new LinkedHashMap<>(properties);
    all.put("quiver.gather-threshold", "16KB");
    return TestCluster.start(datasets, all);
  }

  @Test
  void unreachablePeerFailsTheQueryWithUnavailableNamingIt() throws Exception {
    try (TestCluster cluster = cluster(1, small, Map.of());
        QuiverClient client = QuiverClient.connect(cluster.uri(0))) {
      int port;
      try (ServerSocket socket = new ServerSocket(0)) {
        port = socket.getLocalPort();
      }
      Location self = cluster.node(0).node().cluster().self();
      cluster
          .node(0)
          .node()
          .cluster()
          .setPeers(List.of(self, Location.forGrpcInsecure("127.0.0.1", port)));
      CompletableFuture<List<String>> query =
          CompletableFuture.supplyAsync(() -> rows(client, "SELECT k, SUM(a) FROM t GROUP BY k"));
      assertThatThrownBy(() -> query.get(BOUND.toSeconds(), TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(FlightRuntimeException.class)
          .hasMessageContaining("127.0.0.1:" + port)
          .hasMessageContaining("during task 1 of stage 1 of query")
          .satisfies(e -> assertStatus(e, FlightStatusCode.UNAVAILABLE));
      await().atMost(BOUND).until(() -> cluster.node(0).node().activeFragments() == 0);

      cluster.node(0).node().cluster().setPeers(List.of());
      assertThat(rows(client, "SELECT COUNT(*) FROM t")).containsExactly("1000");
    }
  }

  @Test
  void peerLostMidQueryFailsItWithUnavailableAndTheOthersFreeTheirMemory() throws Exception {
    try (TestCluster cluster = cluster(3, big, Map.of("quiver.shutdown-grace", "0s"));
        QuiverClient client = QuiverClient.connect(cluster.uri(0))) {
      String victim = cluster.node(2).node().cluster().self().getUri().getAuthority();
      CompletableFuture<List<String>> query =
          CompletableFuture.supplyAsync(
              () -> rows(client, "SELECT k, SUM(a), COUNT(*) FROM t GROUP BY k"));
      await()
          .atMost(BOUND)
          .pollInterval(Duration.ofMillis(5))
          .until(() -> cluster.node(2).node().activeFragments() > 0);
      cluster.stop(2);

      assertThatThrownBy(() -> query.get(BOUND.toSeconds(), TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(FlightRuntimeException.class)
          .hasMessageContaining(victim)
          .hasMessageContaining(" during ")
          .satisfies(e -> assertStatus(e, FlightStatusCode.UNAVAILABLE));
      await()
          .atMost(BOUND)
          .until(
              () ->
                  cluster.node(0).node().activeFragments() == 0
                      && cluster.node(1).node().activeFragments() == 0);

      List<Location> survivors =
          List.of(cluster.node(0).node().cluster().self(), cluster.node(1).node().cluster().self());
      cluster.node(0).node().cluster().setPeers(survivors);
      assertThat(rows(client, "SELECT COUNT(*) FROM t")).containsExactly("6000000");
    }
  }

  @Test
  void aNodeDownDoesNotStopQueriesOverSharedStorage() throws Exception {
    try (TestCluster cluster =
            cluster(3, small, Map.of("quiver.shared-datasets", "t", "quiver.split-bytes", "1KB"));
        QuiverClient client = QuiverClient.connect(cluster.uri(0))) {
      cluster.stop(2);
      try (BatchStream stream = client.query("SELECT k, COUNT(*), SUM(a) FROM t GROUP BY k")) {
        List<String> rows = AggregateRows.of(stream);
        rows.sort(Comparator.naturalOrder());
        List<String> expected =
            AggregateRows.ofDuckDb(
                duckdb.query("SELECT k, COUNT(*), SUM(a) FROM '" + small + "' GROUP BY k"));
        expected.sort(Comparator.naturalOrder());
        assertThat(rows).isEqualTo(expected);
        assertThat(stream.statistics().get("nodes")).isEqualTo(2);
      }
      assertThat(rows(client, "SELECT COUNT(*) FROM t")).containsExactly("1000");
      long scanned = 0;
      try (BatchStream stream = client.read("t")) {
        while (stream.next()) {
          scanned += stream.root().getRowCount();
        }
      }
      assertThat(scanned).isEqualTo(1000);
    }
  }

  @Test
  void clientCancelStopsTheQueryOnEveryNode() throws Exception {
    try (TestCluster cluster = cluster(3, big, Map.of());
        BufferAllocator allocator = new RootAllocator();
        FlightClient client =
            FlightClient.builder(
                    allocator, Location.forGrpcInsecure("127.0.0.1", cluster.uri(0).getPort()))
                .build()) {
      FlightInfo info =
          client.getInfo(
              FlightDescriptor.command(
                  "SELECT k, SUM(a) FROM t GROUP BY k".getBytes(StandardCharsets.UTF_8)));
      try (FlightStream stream = client.getStream(info.getEndpoints().get(0).getTicket())) {
        await()
            .atMost(BOUND)
            .pollInterval(Duration.ofMillis(5))
            .until(() -> cluster.nodes().stream().anyMatch(n -> n.node().activeFragments() > 0));
        stream.cancel("the user pressed Ctrl-C", null);
      } catch (FlightRuntimeException expected) {
        assertStatus(expected, FlightStatusCode.CANCELLED);
      }
      await()
          .atMost(BOUND)
          .until(() -> cluster.nodes().stream().allMatch(n -> n.node().activeFragments() == 0));
      try (QuiverClient quiver = QuiverClient.connect(cluster.uri(1))) {
        assertThat(rows(quiver, "SELECT COUNT(*) FROM t WHERE id < 10")).containsExactly("30");
      }
    }
  }

  @Test
  void withoutSpillingGroupsBeyondTheQueryMemoryLimitFailWithResourceExhausted() throws Exception {
    try (TestCluster cluster =
            cluster(2, big, Map.of("quiver.query-memory-limit", "8MB", "quiver.spill", false));
        QuiverClient client = QuiverClient.connect(cluster.uri(0))) {
      assertThatThrownBy(() -> rows(client, "SELECT id, COUNT(*) FROM t GROUP BY id"))
          .isInstanceOf(FlightRuntimeException.class)
          // The group table's Arrow vectors or its heap arrays, whichever outgrows its limit first.
          .hasMessageMatching("(?s).*Query [0-9a-f-]{36} exceeded its (heap )?memory limit.*")
          .satisfies(e -> assertStatus(e, FlightStatusCode.RESOURCE_EXHAUSTED));
      await()
          .atMost(BOUND)
          .until(() -> cluster.nodes().stream().allMatch(n -> n.node().activeFragments() == 0));
      assertThat(rows(client, "SELECT COUNT(*) FROM t WHERE id < 10")).containsExactly("20");
    }
  }

  @Test
  void aListingAnswersFromTheNodesThatRespondAndNamesTheMissingOne() throws Exception {
    try (TestCluster cluster = cluster(3, small, Map.of());
        BufferAllocator allocator = new RootAllocator();
        FlightClient client =
            FlightClient.builder(
                    allocator, Location.forGrpcInsecure("127.0.0.1", cluster.uri(0).getPort()))
                .build()) {
      String missing = cluster.node(2).node().cluster().self().getUri().toString();
      cluster.stop(2);
      List<FlightInfo> listed = new ArrayList<>();
      client.listFlights(Criteria.ALL).forEach(listed::add);
      assertThat(listed).hasSize(1);
      assertThat(listed.get(0).getRecords()).as("the two nodes that answered").isEqualTo(2000);
      assertThat(new String(listed.get(0).getAppMetadata(), StandardCharsets.UTF_8))
          .contains("\"missingNodes\":[\"" + missing + "\"]");
      // A query over the dataset would miss the node's rows: it fails, naming the node.
      try (QuiverClient quiver = QuiverClient.connect(cluster.uri(0))) {
        assertThatThrownBy(() -> rows(quiver, "SELECT id FROM t WHERE id < 5"))
            .isInstanceOf(FlightRuntimeException.class)
            .hasMessageContaining(missing.replace("grpc+tcp://", ""))
            .satisfies(e -> assertStatus(e, FlightStatusCode.UNAVAILABLE));
      }
    }
  }

  @Test
  void peerWithoutTheDatasetTakesNoPart() throws Exception {
    try (TestCluster cluster =
            TestCluster.start(
                List.of(
                    Map.of("t", small.toString()),
                    Map.of("t", small.toString()),
                    // A new node whose own folder is still empty (peer-local placement).
                    Map.of("t", emptyFolder().toString())),
                Map.of("quiver.gather-threshold", "0"));
        QuiverClient client = QuiverClient.connect(cluster.uri(0))) {
      String sql = "SELECT k, SUM(a), COUNT(*) FROM t GROUP BY k";
      List<String> expected =
          AggregateRows.ofDuckDb(
              duckdb.query(
                  sql.replace(
                      "FROM t",
                      "FROM (SELECT * FROM '"
                          + small
                          + "' UNION ALL SELECT * FROM '"
                          + small
                          + "')")));
      expected.sort(Comparator.naturalOrder());
      try (BatchStream stream = client.query(sql)) {
        List<String> actual = AggregateRows.of(stream);
        actual.sort(Comparator.naturalOrder());
        assertThat(actual).isEqualTo(expected);
        QueryStatistics statistics = stream.statistics();
        assertThat(statistics.label("strategy")).isEqualTo("shuffle");
        assertThat(statistics.peers().get(2).get("rowsScanned")).isZero();
        assertThat(statistics.peers().get(2).get("bytesIn")).isZero();
      }
      // The node without the dataset has its peers plan the queries it receives.
      try (QuiverClient empty = QuiverClient.connect(cluster.uri(2))) {
        List<String> actual = rows(empty, sql);
        actual.sort(Comparator.naturalOrder());
        assertThat(actual).isEqualTo(expected);
        assertThat(rows(empty, "SELECT id FROM t WHERE id < 3")).hasSize(6);
      }
      // One group: every partition but one is empty, and still merges and answers.
      try (BatchStream stream = client.query("SELECT k, COUNT(*) FROM t WHERE k = 3 GROUP BY k")) {
        assertThat(AggregateRows.of(stream)).containsExactly("3|200");
        assertThat(stream.statistics().label("strategy")).isEqualTo("shuffle");
      }
    }
  }

  @Test
  void exchangesOfUnknownOrExpiredQueriesAreRefused() throws Exception {
    try (TestCluster cluster = cluster(1, small, Map.of("quiver.fragment-ttl", "1s"));
        BufferAllocator allocator = new RootAllocator();
        FlightClient client =
            FlightClient.builder(
                    allocator, Location.forGrpcInsecure("127.0.0.1", cluster.uri(0).getPort()))
                .build()) {
      String unknown =
          "{\"kind\":\"stage\",\"version\":5,\"query\":\"no-such-query\",\"stage\":2,\"task\":0}";
      assertThatThrownBy(
              () -> {
                try (FlightStream stream =
                    client.getStream(new Ticket(unknown.getBytes(StandardCharsets.UTF_8)))) {
                  stream.next();
                }
              })
          .isInstanceOf(FlightRuntimeException.class)
          .hasMessageContaining("no-such-query")
          .satisfies(e -> assertStatus(e, FlightStatusCode.NOT_FOUND));

      FlightDescriptor exchange =
          FlightDescriptor.path(
              "quiver-exchange", "2", "no-such-query", "2", "grpc://elsewhere:1", "0");
      try (VectorSchemaRoot empty = VectorSchemaRoot.create(new Schema(List.of()), allocator)) {
        FlightClient.ClientStreamListener put =
            client.startPut(exchange, empty, new SyncPutListener());
        put.completed();
        assertThatThrownBy(put::getResult)
            .isInstanceOf(FlightRuntimeException.class)
            .hasMessageContaining("no-such-query")
            .satisfies(e -> assertStatus(e, FlightStatusCode.NOT_FOUND));
      }

      // A coordinator that disappears after a stage that keeps its output leaves a fragment
      // behind: it expires.
      Catalog catalog =
          new Catalog(
              List.of(dev.quiver.parquet.dataset.DatasetLoader.load("t", small.toString())));
      String plan =
          new PlanCodec(catalog)
              .encode(
                  new dev.quiver.server.physical.Scan(
                      catalog.require("t"),
                      List.of("k"),
                      dev.quiver.parquet.predicate.Constant.TRUE));
      String task =
          new com.fasterxml.jackson.databind.ObjectMapper()
              .writeValueAsString(
                  Map.of(
                      "queryId",
                      "abandoned",
                      "stage",
                      1,
                      "task",
                      0,
                      "sql",
                      "SELECT k FROM t",
                      "dataset",
                      "t",
                      "plan",
                      plan,
                      "output",
                      Map.of("kind", "KEEP")));
      client.doAction(new Action("stage.run-task", task.getBytes(StandardCharsets.UTF_8))).next();
      assertThat(cluster.node(0).node().activeFragments()).isEqualTo(1);
      await().atMost(BOUND).until(() -> cluster.node(0).node().activeFragments() == 0);
    }
  }

  private static Path emptyFolder() {
    try {
      return java.nio.file.Files.createDirectories(data.resolve("empty"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<String> rows(QuiverClient client, String sql) {
    try (BatchStream stream = client.query(sql)) {
      return AggregateRows.of(stream);
    }
  }

  private static void assertStatus(Throwable e, FlightStatusCode code) {
    assertThat(((FlightRuntimeException) e).status().code()).as(e.getMessage()).isEqualTo(code);
  }
}
