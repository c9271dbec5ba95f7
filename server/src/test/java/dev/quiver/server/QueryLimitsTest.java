package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.client.BatchStream;
import dev.quiver.client.QuiverClient;
import dev.quiver.server.sql.QueryPlanner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queries an abusive or careless client may send are refused with INVALID_ARGUMENT and a message
 * that says what to change, and the node goes on serving: too long, nested too deeply, too many
 * expressions, a LIMIT beyond BIGINT. The limits apply alike to every call that plans SQL.
 */
class QueryLimitsTest {
  @TempDir static Path data;
  static TestNode node;
  static QuiverClient client;

  @BeforeAll
  static void start() {
    Path file = data.resolve("t.parquet");
    try (DuckDb duckdb = new DuckDb()) {
      duckdb.writeParquet("SELECT i AS id FROM range(0, 1000) t(i)", file, "");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    node = TestNode.start(Map.of("t", file.toString()), Map.of("quiver.max-sql-bytes", "1MB"));
    client = QuiverClient.connect(node.uri());
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    node.close();
  }

  @Test
  void aStatementLongerThanTheLimitIsRefusedNamingTheLimit() {
    String sql = "SELECT id FROM t WHERE id IN (" + "1, ".repeat(400_000) + "2)";
    assertRefused(sql, "quiver.max-sql-bytes");
  }

  @Test
  void fiveThousandNestedParenthesesAreRefusedWithAReason() {
    String sql = "SELECT " + "(".repeat(5000) + "id" + ")".repeat(5000) + " FROM t";
    assertRefused(sql, "nests parentheses 5000 levels deep");
  }

  @Test
  void parenthesesInsideStringsDoNotCount() {
    String sql = "SELECT id FROM t WHERE id = 7 OR '" + "(".repeat(5000) + "' = 'x'";
    try (BatchStream stream = client.query(sql)) {
      assertThat(AggregateRows.of(stream)).containsExactly("7");
    }
  }

  @Test
  void aLimitBeyondBigintIsRefusedNotAFault() {
    assertRefused("SELECT id FROM t LIMIT 1e20", "LIMIT");
  }

  @Test
  void planningLongerThanTheTimeoutAndMessagesBeyondTheLimitAreRefused() throws Exception {
    Path file = data.resolve("t.parquet");
    try (TestNode strict =
            TestNode.start(
                Map.of("t", file.toString()),
                Map.of("quiver.planning-timeout", "1ms", "quiver.max-message-bytes", "1MB"));
        QuiverClient strictClient = QuiverClient.connect(strict.uri())) {
      // Two thousand OR terms take Calcite well over a millisecond however warm it is.
      StringBuilder ors = new StringBuilder("SELECT id FROM t WHERE id = 0");
      for (int i = 1; i < 2000; i++) {
        ors.append(" OR id = ").append(i);
      }
      assertThatThrownBy(() -> strictClient.query(ors.toString()).close())
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.RESOURCE_EXHAUSTED))
          .hasMessageContaining("quiver.planning-timeout");
      String huge = "SELECT id FROM t WHERE id IN (" + "1, ".repeat(400_000) + "2)";
      assertThatThrownBy(() -> strictClient.query(huge).close())
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.RESOURCE_EXHAUSTED));
      assertThat(strictClient.action("health").get("status").asText()).isEqualTo("SERVING");
    }
  }

  @Test
  void moreThanTwentyThousandOperatorsAreRefusedPointingToInLists() {
    // Counted before parsing: the text need not be valid beyond that.
    assertRefused(
        "SELECT id FROM t WHERE id = " + "1+".repeat(20_000) + "1",
        "write long OR chains as IN lists");
  }

  @Test
  void aPlanStopsWhenItsClientGoesAway() throws Exception {
    Path file = data.resolve("t.parquet");
    try (TestNode patient =
            TestNode.start(
                Map.of("t", file.toString()),
                Map.of("quiver.planning-timeout", "5m", "quiver.max-expression-nodes", "100000"));
        QuiverClient patientClient = QuiverClient.connect(patient.uri())) {
      QueryPlanner planner = patient.node().planner();
      // 19,800 operators, allowed here: parsing alone takes about a second; the client waits 50 ms.
      FlightDescriptor slow =
          FlightDescriptor.command(orChain(9_900).getBytes(StandardCharsets.UTF_8));
      assertThatThrownBy(
              () ->
                  patientClient
                      .flightClient()
                      .getInfo(slow, CallOptions.timeout(50, TimeUnit.MILLISECONDS)))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.TIMED_OUT));
      // The planner thread stops at its next expression rather than planning to the end.
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> planner.plansStopped() == 1);
      assertThat(patientClient.action("health").get("status").asText()).isEqualTo("SERVING");
    }
  }

  @Test
  void fiveThousandChainedNotsAreRefusedNamingTheDepthLimit() {
    String sql = "SELECT id FROM t WHERE " + "NOT ".repeat(5000) + "id = 1";
    FlightDescriptor command = FlightDescriptor.command(sql.getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> client.flightClient().getInfo(command))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT))
        .hasMessageContaining("levels deep; at most 200")
        .hasMessageContaining("quiver.max-expression-depth");
    assertThatThrownBy(() -> client.flightClient().getSchema(command))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT))
        .hasMessageContaining("quiver.max-expression-depth");
    assertStillServing();
  }

  @Test
  void fiveThousandChainedNotsAreRefusedTheSameWayWhenPrepared() throws Exception {
    String sql = "SELECT id FROM t WHERE " + "NOT ".repeat(5000) + "id = 1";
    try (BufferAllocator allocator = new RootAllocator();
        FlightSqlClient sqlClient = flightSql(allocator, node)) {
      assertThatThrownBy(() -> sqlClient.prepare(sql).close())
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT))
          .hasMessageContaining("levels deep; at most 200")
          .hasMessageContaining("quiver.max-expression-depth");
      assertThatThrownBy(() -> sqlClient.execute(sql))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT))
          .hasMessageContaining("quiver.max-expression-depth");
    }
    assertStillServing();
  }

  @Test
  void notsNestedJustWithinTheDepthLimitAreAnswered() {
    // 198 NOTs, an even number, under the comparison and the WHERE: 200 levels in all.
    String sql = "SELECT COUNT(*) FROM t WHERE " + "NOT ".repeat(198) + "id < 10";
    try (BatchStream stream = client.query(sql)) {
      assertThat(AggregateRows.of(stream)).containsExactly("10");
    }
  }

  @Test
  void aSumOfTwentyThousandTermsIsRefusedNamingTheDepthLimit() {
    // 20,000 terms are 20,001 levels of '+' (and 40,000 nodes): the depth limit refuses it first.
    String sql = "SELECT id FROM t WHERE id = " + "id+".repeat(19_999) + "id";
    assertRefused(sql, "quiver.max-expression-depth");
  }

  @Test
  void aTwentyThousandTermOrIsRefusedTheSameWayWhenPrepared() throws Exception {
    try (BufferAllocator allocator = new RootAllocator();
        FlightSqlClient sqlClient = flightSql(allocator, node)) {
      assertThatThrownBy(() -> sqlClient.prepare(orChain(20_000)).close())
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT))
          .hasMessageContaining("quiver.max-expression-nodes")
          .hasMessageContaining("write long OR chains as IN lists");
    }
    assertStillServing();
  }

  private static FlightSqlClient flightSql(BufferAllocator allocator, TestNode target) {
    return new FlightSqlClient(
        FlightClient.builder(
                allocator, Location.forGrpcInsecure("127.0.0.1", target.uri().getPort()))
            .build());
  }

  private static void assertStillServing() {
    try (BatchStream stream = client.query("SELECT COUNT(*) FROM t")) {
      assertThat(AggregateRows.of(stream)).containsExactly("1000");
    }
  }

  /** A query whose filter ORs {@code terms} comparisons. */
  private static String orChain(int terms) {
    StringBuilder ors = new StringBuilder("SELECT COUNT(*) FROM t WHERE id = 0");
    for (int i = 1; i < terms; i++) {
      ors.append(" OR id = ").append(i);
    }
    return ors.toString();
  }

  private static void assertRefused(String sql, String reason) {
    assertThatThrownBy(
            () -> {
              try (BatchStream stream = client.query(sql)) {
                stream.next();
              }
            })
        .isInstanceOf(FlightRuntimeException.class)
        .hasMessageContaining(reason)
        .satisfies(
            e ->
                assertThat(((FlightRuntimeException) e).status().code())
                    .isEqualTo(FlightStatusCode.INVALID_ARGUMENT));
    assertStillServing();
  }
}
