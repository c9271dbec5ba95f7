package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.client.BatchStream;
import dev.quiver.client.Credentials;
import dev.quiver.client.DatasetInfo;
import dev.quiver.client.QuiverClient;
import dev.quiver.client.Tls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * Datasets readable by some users only ({@code quiver.auth-datasets}, or a grants file): for anyone
 * else such a dataset is absent from listings and Flight SQL metadata, and naming it in a query, a
 * dataset read or a refresh is PERMISSION_DENIED naming it; datasets without a rule stay readable
 * by everyone who authenticates.
 */
class AuthorizationTest {
  static final Credentials ANA = new Credentials("ana", "ana's password");
  static final Credentials BOB = new Credentials("bob", "bob's password");
  @TempDir static Path dir;
  static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    try (DuckDb duckdb = new DuckDb()) {
      duckdb.writeParquet(
          "SELECT i AS id FROM range(10) r(i)", dir.resolve("salaries.parquet"), "");
      duckdb.writeParquet("SELECT i AS id FROM range(20) r(i)", dir.resolve("events.parquet"), "");
    }
    BCryptPasswordEncoder bcrypt = new BCryptPasswordEncoder(4);
    Path users = dir.resolve("users");
    Files.writeString(
        users,
        "ana:" + bcrypt.encode(ANA.password()) + "\nbob:" + bcrypt.encode(BOB.password()) + "\n");
    node =
        TestNode.start(
            Map.of(
                "salaries", dir.resolve("salaries.parquet").toString(),
                "events", dir.resolve("events.parquet").toString()),
            Map.of(
                "quiver.auth-users-file",
                users.toString(),
                "quiver.auth-datasets.salaries",
                "ana, role:hr"));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void aReaderSeesAndQueriesTheDataset() throws Exception {
    try (QuiverClient ana = client(ANA)) {
      assertThat(ana.datasets()).extracting(DatasetInfo::name).contains("salaries", "events");
      assertThat(count(ana, "SELECT COUNT(*) FROM salaries")).isEqualTo(10);
    }
  }

  @Test
  void anyoneElseNeitherSeesNorReadsIt() throws Exception {
    try (QuiverClient bob = client(BOB)) {
      assertThat(bob.datasets()).extracting(DatasetInfo::name).containsExactly("events");
      assertThat(count(bob, "SELECT COUNT(*) FROM events")).isEqualTo(20);
      Map<String, ThrowingCall> calls =
          Map.of(
              "aggregate", () -> count(bob, "SELECT COUNT(*) FROM salaries"),
              "scan", () -> count(bob, "SELECT id FROM salaries WHERE id < 3"),
              "read", () -> drain(bob.read("salaries")),
              "join",
                  () -> count(bob, "SELECT COUNT(*) FROM events e JOIN salaries s ON e.id = s.id"),
              "subquery",
                  () ->
                      count(
                          bob, "SELECT COUNT(*) FROM events WHERE id IN (SELECT id FROM salaries)"),
              "explain", () -> drain(bob.query("EXPLAIN SELECT * FROM events, salaries")),
              "describe", () -> drain(bob.query("DESCRIBE salaries")),
              "refresh", () -> bob.action("refresh-dataset", Map.of("dataset", "salaries")));
      for (Map.Entry<String, ThrowingCall> call : calls.entrySet()) {
        assertThatThrownBy(call.getValue()::run)
            .as(call.getKey())
            .isInstanceOfSatisfying(
                FlightRuntimeException.class,
                e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHORIZED))
            .hasMessageContaining("User 'bob' may not read dataset 'salaries'");
      }
      List<String> described = new ArrayList<>();
      bob.action("datasets").forEach(dataset -> described.add(dataset.get("name").asText()));
      assertThat(described).containsExactly("events");
    }
  }

  @Test
  void usersSeeNeitherInListingsNorInTicketsWhereTheNodeKeepsItsFiles() throws Exception {
    try (QuiverClient ana = client(ANA)) {
      List<com.fasterxml.jackson.databind.JsonNode> described = new ArrayList<>();
      ana.action("datasets").forEach(described::add);
      assertThat(described).isNotEmpty().allSatisfy(d -> assertThat(d.has("location")).isFalse());
      org.apache.arrow.flight.FlightInfo info =
          ana.flightClient()
              .getInfo(
                  org.apache.arrow.flight.FlightDescriptor.command(
                      "SELECT id FROM events".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      assertThat(info.getEndpoints())
          .isNotEmpty()
          .allSatisfy(
              endpoint ->
                  assertThat(
                          new String(
                              endpoint.getTicket().getBytes(),
                              java.nio.charset.StandardCharsets.ISO_8859_1))
                      .contains("events.parquet")
                      .doesNotContain(dir.toString()));
    }
  }

  @Test
  void catalogStatementsAndInformationSchemaListOnlyWhatTheUserMayRead() throws Exception {
    String tables = "SELECT table_name FROM information_schema.tables ORDER BY 1";
    String columns = "SELECT DISTINCT table_name FROM information_schema.columns ORDER BY 1";
    try (QuiverClient ana = client(ANA);
        QuiverClient bob = client(BOB)) {
      // Ana first: her answer must not be the one Bob gets for the same text.
      assertThat(firstColumn(ana, tables)).containsExactly("events", "salaries");
      assertThat(firstColumn(bob, tables)).containsExactly("events");
      assertThat(firstColumn(ana, columns)).containsExactly("events", "salaries");
      assertThat(firstColumn(bob, columns)).containsExactly("events");
      assertThat(firstColumn(ana, "SHOW TABLES")).containsExactly("events", "salaries");
      assertThat(firstColumn(bob, "SHOW TABLES")).containsExactly("events");
      assertThat(firstColumn(ana, "DESCRIBE salaries")).containsExactly("id");
      assertThatThrownBy(() -> firstColumn(bob, "SELECT * FROM salaries_typo"))
          .hasMessageContaining("datasets are: events")
          .hasMessageNotContaining("salaries,");
    }
  }

  private static List<String> firstColumn(QuiverClient client, String sql) throws Exception {
    List<String> values = new ArrayList<>();
    try (BatchStream stream = client.query(sql)) {
      while (stream.next()) {
        var column = stream.root().getVector(0);
        for (int i = 0; i < stream.root().getRowCount(); i++) {
          values.add(String.valueOf(column.getObject(i)));
        }
      }
    }
    return values;
  }

  @Test
  void jdbcMetadataListsOnlyWhatTheUserMayRead() throws Exception {
    try (Connection connection =
            DriverManager.getConnection(
                "jdbc:arrow-flight-sql://127.0.0.1:"
                    + node.uri().getPort()
                    + "/?useEncryption=false",
                BOB.user(),
                BOB.password());
        ResultSet tables = connection.getMetaData().getTables(null, null, "%", null)) {
      List<String> names = new ArrayList<>();
      while (tables.next()) {
        names.add(tables.getString("TABLE_NAME"));
      }
      assertThat(names).contains("events").doesNotContain("salaries");
    }
  }

  private static void drain(BatchStream stream) throws Exception {
    try (stream) {
      while (stream.next()) {
        // read it all
      }
    }
  }

  @Test
  void aUserReadsAtMostTheConfiguredNumberOfStreamsAtOnce() throws Exception {
    Path big = dir.resolve("big.parquet");
    try (DuckDb duckdb = new DuckDb()) {
      duckdb.writeParquet("SELECT i AS id FROM range(2000000) r(i)", big, "");
    }
    try (TestNode limited =
            TestNode.start(
                Map.of("big", big.toString()),
                Map.of(
                    "quiver.auth-users-file",
                    dir.resolve("users").toString(),
                    "quiver.max-streams-per-user",
                    1));
        QuiverClient ana =
            QuiverClient.connect(limited.uri(), new RootAllocator(), 4, Tls.SYSTEM, ANA);
        QuiverClient bob =
            QuiverClient.connect(limited.uri(), new RootAllocator(), 4, Tls.SYSTEM, BOB)) {
      org.apache.arrow.flight.FlightInfo info =
          ana.flightClient()
              .getInfo(
                  org.apache.arrow.flight.FlightDescriptor.command(
                      "SELECT id FROM big".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      org.apache.arrow.flight.Ticket ticket = info.getEndpoints().get(0).getTicket();
      try (org.apache.arrow.flight.FlightStream open = ana.flightClient().getStream(ticket)) {
        assertThat(open.next()).isTrue(); // held open: the node waits on backpressure
        assertThatThrownBy(() -> count(ana, "SELECT COUNT(*) FROM big"))
            .isInstanceOfSatisfying(
                FlightRuntimeException.class,
                e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.RESOURCE_EXHAUSTED))
            .hasMessageContaining("quiver.max-streams-per-user");
        assertThat(count(bob, "SELECT COUNT(*) FROM big")).isEqualTo(2_000_000);
      }
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(10))
          .ignoreExceptions()
          .until(() -> count(ana, "SELECT COUNT(*) FROM big") == 2_000_000);
    }
  }

  @Test
  void aGrantsFileGivesEachUserOnlyTheDatasetsItNames() throws Exception {
    Path grants = dir.resolve("grants.yml");
    Files.writeString(grants, "users:\n  ana: [events]\n  bob: [\"*\"]\n");
    // As `quiver serve --users users --grants grants.yml` sets them.
    QuiverServerMain serve = new QuiverServerMain();
    new picocli.CommandLine(serve)
        .parseArgs("--users", dir.resolve("users").toString(), "--grants", grants.toString());
    try (TestNode granted =
            TestNode.start(
                Map.of(
                    "salaries", dir.resolve("salaries.parquet").toString(),
                    "events", dir.resolve("events.parquet").toString()),
                serve.properties());
        QuiverClient ana =
            QuiverClient.connect(granted.uri(), new RootAllocator(), 4, Tls.SYSTEM, ANA);
        QuiverClient bob =
            QuiverClient.connect(granted.uri(), new RootAllocator(), 4, Tls.SYSTEM, BOB)) {
      assertThat(ana.datasets()).extracting(DatasetInfo::name).containsExactly("events");
      assertThat(count(ana, "SELECT COUNT(*) FROM events")).isEqualTo(20);
      assertThatThrownBy(() -> count(ana, "SELECT COUNT(*) FROM salaries"))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHORIZED))
          .hasMessageContaining("User 'ana' may not read dataset 'salaries'");
      assertThat(bob.datasets())
          .extracting(DatasetInfo::name)
          .containsExactlyInAnyOrder("events", "salaries");
      assertThat(count(bob, "SELECT COUNT(*) FROM salaries")).isEqualTo(10);
    }
  }

  interface ThrowingCall {
    void run() throws Exception;
  }

  private static QuiverClient client(Credentials credentials) {
    return QuiverClient.connect(node.uri(), new RootAllocator(), 4, Tls.SYSTEM, credentials);
  }

  private static long count(QuiverClient client, String sql) throws InterruptedException {
    try (BatchStream stream = client.query(sql)) {
      return Long.parseLong(AggregateRows.of(stream).get(0));
    }
  }
}
