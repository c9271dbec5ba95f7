package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.quiver.client.BatchStream;
import dev.quiver.client.QuiverClient;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each stage of a distributed aggregation failed on purpose, with real inputs that make it fail: a
 * corrupt file fails one node's scan (partial stage), sums that overflow only once merged fail the
 * owners' merge (shuffle) or the coordinator's (gather). The client gets a status naming the cause,
 * every node frees the query (no fragment left, and {@link TestNode} checks on close that every
 * allocator is back to zero), and the nodes go on serving.
 */
class StageFailureTest {
  private static final Duration BOUND = Duration.ofSeconds(30);

  @TempDir static Path data;
  static DuckDb duckdb;
  static Path good;
  static Path corrupt;
  static Path huge;

  @BeforeAll
  static void writeFiles() throws IOException {
    duckdb = new DuckDb();
    good = folder("good");
    duckdb.writeParquet(
        "SELECT i AS id, i % 5000 AS k, i * 3 AS a FROM range(0, 300000) t(i)",
        good.resolve("data.parquet"), "ROW_GROUP_SIZE 50000");
    corrupt = folder("corrupt");
    Path broken = corrupt.resolve("data.parquet");
    duckdb.writeParquet(
        "SELECT i AS id, i % 5000 AS k, i * 3 AS a FROM range(0, 300000) t(i)",
        broken, "ROW_GROUP_SIZE 50000");
    // Overwrite the middle of the file, inside its compressed pages; the footer stays intact.
    try (RandomAccessFile file = new RandomAccessFile(broken.toFile(), "rw")) {
      long middle = file.length() / 2;
      file.seek(middle);
      byte[] junk = new byte[4096];
      Arrays.fill(junk, (byte) 0x5A);
      file.write(junk);
    }
    huge = folder("huge");
    // Every node's sum per key fits BIGINT (4e18); three nodes' together do not.
    duckdb.writeParquet(
        "SELECT i % 5000 AS k, 4000000000000000000::BIGINT AS a, i AS id"
            + " FROM range(0, 5000) t(i)",
        huge.resolve("data.parquet"), "");
  }

  private static Path folder(String name) throws IOException {
    return Files.createDirectories(data.resolve(name));
  }

  @AfterAll
  static void close() throws Exception {
    duckdb.close();
  }

  private static TestCluster cluster(List<Path> folders, String gatherThreshold) {
    return TestCluster.start(
        folders.stream().map(f -> Map.of("t", f.toString())).toList(),
        Map.of("quiver.gather-threshold", gatherThreshold));
  }

  @Test
  void aCorruptFileFailsThePartialStageOfOneNodeAndEveryNodeFreesTheQuery() throws Exception {
    try (TestCluster cluster = cluster(List.of(good, good, corrupt), "16KB");
        QuiverClient client = QuiverClient.connect(cluster.uri(0))) {
      assertThatThrownBy(() -> rows(client, "SELECT k, SUM(a) FROM t GROUP BY k"))
          .isInstanceOf(FlightRuntimeException.class)
          .hasMessageContaining("data.parquet")
          .hasMessageNotContaining(corrupt.toString())
          .hasMessageContaining(cluster.uri(2).getPort() + "")
          .satisfies(e -> assertStatus(e, FlightStatusCode.INTERNAL));
      awaitNoFragments(cluster);
      assertThat(rows(client, "SELECT COUNT(*) FROM t WHERE id < 10 AND a >= 0"))
          .as("the good nodes go on answering what the corrupt pages do not hold")
          .isNotEmpty();
    }
  }

  @Test
  void sumsThatOverflowOnlyWhenOwnersMergeFailTheShuffledQuery() throws Exception {
    try (TestCluster cluster = cluster(List.of(huge, huge, huge), "1KB");
        QuiverClient client = QuiverClient.connect(cluster.uri(0))) {
      assertThatThrownBy(() -> rows(client, "SELECT k, SUM(a) FROM t GROUP BY k"))
          .isInstanceOf(FlightRuntimeException.class)
          .hasMessageContaining("overflows BIGINT")
          .satisfies(e -> assertStatus(e, FlightStatusCode.INVALID_ARGUMENT));
      awaitNoFragments(cluster);
      assertThat(rows(client, "SELECT COUNT(*) FROM t")).containsExactly("15000");
    }
  }

  @Test
  void sumsThatOverflowOnlyWhenGatheredFailTheCoordinatorsMerge() throws Exception {
    try (TestCluster cluster = cluster(List.of(huge, huge, huge), "1GB");
        QuiverClient client = QuiverClient.connect(cluster.uri(0))) {
      assertThatThrownBy(() -> rows(client, "SELECT k, SUM(a) FROM t GROUP BY k"))
          .isInstanceOf(FlightRuntimeException.class)
          .hasMessageContaining("overflows BIGINT")
          .satisfies(e -> assertStatus(e, FlightStatusCode.INVALID_ARGUMENT));
      awaitNoFragments(cluster);
      assertThat(rows(client, "SELECT COUNT(*) FROM t")).containsExactly("15000");
    }
  }

  private static void awaitNoFragments(TestCluster cluster) {
    await()
        .atMost(BOUND)
        .until(() -> cluster.nodes().stream().allMatch(n -> n.node().activeFragments() == 0));
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
