package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quiver.client.BatchStream;
import dev.quiver.client.QuiverClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Aggregations keep their hash tables' heap arrays within the node's heap budget as they keep their
 * Arrow memory within the query limit: several big {@code GROUP BY ... HAVING} queries at once on a
 * node whose query limit is as big as the whole JVM heap (the issue's {@code --memory-limit 2GB
 * --query-memory-limit 512MB} on a 512 MB heap, scaled down) each answer equal to DuckDB or fail
 * with RESOURCE_EXHAUSTED, never INTERNAL, and the node answers the next query.
 *
 * <p>Run by its own surefire execution ({@code small-heap}) in a JVM of a small heap, which is what
 * makes a heap the queries could overrun real; under a bigger heap it still holds, trivially.
 */
class HeapMemoryTest {
  /** Rows of the file, and its distinct ids: every row its own group. */
  private static final int ROWS = 2_000_000;

  private static final String SQL = "SELECT id, SUM(a) FROM t GROUP BY id HAVING SUM(a) > 995";

  private static final int QUERIES = 6;

  @TempDir static Path data;
  static DuckDb duckdb;
  static Path file;
  static List<String> expected;

  @TempDir Path spill;

  @BeforeAll
  static void writeFile() {
    duckdb = new DuckDb();
    file = data.resolve("t.parquet");
    // Ids spread over 4 * ROWS so that no lookup table by value serves them: a hash table grows.
    duckdb.writeParquet(
        "SELECT (i * 4 + i % 3) AS id, i % 1000 AS a FROM range(0, " + ROWS + ") t(i)",
        file,
        "ROW_GROUP_SIZE 250000");
    expected = AggregateRows.ofDuckDb(duckdb.query(SQL.replace("FROM t", "FROM '" + file + "'")));
    expected.sort(Comparator.naturalOrder());
    assertThat(expected).hasSize(ROWS / 1000 * 4);
  }

  @AfterAll
  static void close() throws Exception {
    duckdb.close();
  }

  @Test
  void concurrentBigAggregationsAnswerOrAreRefusedAsResourceExhaustedNeverInternal()
      throws Exception {
    long heap = Runtime.getRuntime().maxMemory();
    Map<String, Object> properties =
        Map.of(
            "quiver.memory-limit",
            4 * heap,
            "quiver.query-memory-limit",
            heap,
            "quiver.spill-directory",
            spill.toString(),
            "quiver.admission-timeout",
            "20s");
    try (TestNode node = TestNode.start(Map.of("t", file.toString()), properties)) {
      ExecutorService clients = Executors.newFixedThreadPool(QUERIES);
      List<Future<List<String>>> answers = new ArrayList<>();
      try {
        for (int q = 0; q < QUERIES; q++) {
          answers.add(clients.submit(() -> answer(node)));
        }
        int answered = 0;
        for (Future<List<String>> answer : answers) {
          Throwable failure = null;
          List<String> rows = null;
          try {
            rows = answer.get(120, TimeUnit.SECONDS);
          } catch (java.util.concurrent.ExecutionException e) {
            failure = e.getCause();
          }
          if (failure == null) {
            assertThat(rows).isEqualTo(expected);
            answered++;
            continue;
          }
          assertThat(failure)
              .as("a query failed other than by running out of memory")
              .isInstanceOf(FlightRuntimeException.class);
          assertThat(((FlightRuntimeException) failure).status().code())
              .as("status of: %s", failure.getMessage())
              .isEqualTo(FlightStatusCode.RESOURCE_EXHAUSTED);
        }
        assertThat(answered).as("queries answered").isPositive();
      } finally {
        clients.shutdownNow();
      }
      assertThat(answer(node)).as("the node still answers").isEqualTo(expected);
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(node.node().reservedHeapBytes())
                      .as("heap bytes still reserved")
                      .isZero());
    }
  }

  private static List<String> answer(TestNode node) throws Exception {
    try (QuiverClient client = QuiverClient.connect(node.uri());
        BatchStream stream = client.query(SQL)) {
      List<String> rows = AggregateRows.of(stream);
      rows.sort(Comparator.naturalOrder());
      return rows;
    }
  }
}
