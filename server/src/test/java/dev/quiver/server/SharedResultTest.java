package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.client.BatchStream;
import dev.quiver.client.QuiverClient;
import dev.quiver.client.SharedResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client on the node's host takes a query's answer as a shared-memory object: the node writes it
 * into its object store, the client maps the sealed file and reads the same rows a Flight stream
 * gives (and DuckDB computes), without receiving them over the socket.
 */
class SharedResultTest {
  @TempDir static Path data;
  @TempDir Path shm;
  static DuckDb duckdb;
  static Path file;

  @BeforeAll
  static void writeFiles() {
    duckdb = new DuckDb();
    file = data.resolve("t.parquet");
    duckdb.writeParquet(
        "SELECT i AS id, i % 1000 AS k, CASE WHEN i % 11 = 0 THEN NULL ELSE i * 3 END AS a,"
            + " 'name-' || (i % 37) AS s FROM range(0, 300000) t(i)",
        file, "ROW_GROUP_SIZE 50000");
  }

  @AfterAll
  static void close() throws Exception {
    duckdb.close();
  }

  private TestNode node() {
    return TestNode.start(Map.of("t", file.toString()), Map.of("quiver.shm-directory", shm));
  }

  @Test
  void aScanReadFromSharedMemoryEqualsTheSameScanOverFlight() throws Exception {
    String sql = "SELECT id, a, s FROM t WHERE id % 7 = 0";
    try (TestNode node = node();
        QuiverClient client = QuiverClient.connect(node.uri())) {
      List<String> streamed = sorted(client.query(sql));
      try (SharedResult shared = client.sharedQuery(sql)) {
        assertThat(shared.path()).startsWith(shm);
        assertThat(Files.size(shared.path())).isEqualTo(shared.bytesReceived());
        assertThat(shared.rows()).isEqualTo(streamed.size());
        assertThat(sorted(shared)).isEqualTo(streamed);
      }
      assertThat(streamed).hasSize((300_000 + 6) / 7);
    }
  }

  @Test
  void anAggregationReadFromSharedMemoryEqualsDuckDb() throws Exception {
    String sql = "SELECT k, SUM(a), COUNT(*) FROM t GROUP BY k";
    List<String> expected =
        AggregateRows.ofDuckDb(duckdb.query(sql.replace("FROM t", "FROM '" + file + "'")));
    expected.sort(Comparator.naturalOrder());
    try (TestNode node = node();
        QuiverClient client = QuiverClient.connect(node.uri());
        SharedResult shared = client.sharedQuery(sql)) {
      List<String> actual = AggregateRows.of(shared);
      actual.sort(Comparator.naturalOrder());
      assertThat(actual).isEqualTo(expected);
    }
  }

  @Test
  void aClientThatCannotShowTheNonceIsRefusedAndABadQueryFailsBeforeAnObjectIsMade()
      throws Exception {
    try (TestNode node = node();
        QuiverClient client = QuiverClient.connect(node.uri())) {
      assertThatThrownBy(
              () -> client.action("shm-query", Map.of("sql", "SELECT id FROM t", "nonce", "42")))
          .isInstanceOf(FlightRuntimeException.class)
          .hasMessageContaining("nonce")
          .satisfies(
              e ->
                  assertThat(((FlightRuntimeException) e).status().code())
                      .isEqualTo(FlightStatusCode.UNAUTHORIZED));
      assertThatThrownBy(() -> client.sharedQuery("SELECT nope FROM t"))
          .isInstanceOf(FlightRuntimeException.class)
          .hasMessageContaining("nope")
          .satisfies(
              e ->
                  assertThat(((FlightRuntimeException) e).status().code())
                      .isEqualTo(FlightStatusCode.INVALID_ARGUMENT));
      try (SharedResult shared = client.sharedQuery("SELECT COUNT(*) FROM t")) {
        assertThat(AggregateRows.of(shared)).containsExactly("300000");
      }
    }
  }

  private static List<String> sorted(BatchStream stream) {
    try (stream) {
      List<String> rows = AggregateRows.of(stream);
      rows.sort(Comparator.naturalOrder());
      return rows;
    }
  }
}
