package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.client.BatchStream;
import dev.quiver.client.QueryStatistics;
import dev.quiver.client.QuiverClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes on one host shuffle by descriptor: a partition for a co-located owner is written once into
 * the sender's shared-memory store and the owner maps it, instead of receiving it over Flight. The
 * answer equals DuckDB's either way, the report tells the bytes that went by descriptor, and no
 * object is left in any store afterwards.
 */
class DescriptorExchangeTest {
  private static final String SQL = "SELECT k, SUM(a), COUNT(*), MAX(s) FROM t GROUP BY k";

  @TempDir static Path data;
  @TempDir Path shm;
  static DuckDb duckdb;
  static List<Path> parts = new ArrayList<>();
  static List<String> expected;

  @BeforeAll
  static void writeFiles() {
    duckdb = new DuckDb();
    for (int p = 0; p < 3; p++) {
      Path part = data.resolve("part-" + p);
      part.toFile().mkdirs();
      duckdb.writeParquet(
          "SELECT i % 150000 AS k, i AS a, 'v' || (i % 97) AS s FROM range("
              + p * 400_000
              + ", "
              + (p + 1) * 400_000
              + ") t(i)",
          part.resolve("data.parquet"),
          "ROW_GROUP_SIZE 100000");
      parts.add(part);
    }
    expected =
        AggregateRows.ofDuckDb(
            duckdb.query(SQL.replace("FROM t", "FROM '" + data + "/part-*/data.parquet'")));
    expected.sort(Comparator.naturalOrder());
  }

  @AfterAll
  static void close() throws Exception {
    duckdb.close();
  }

  private TestCluster cluster(boolean descriptors) {
    List<Map<String, String>> datasets = new ArrayList<>();
    parts.forEach(dir -> datasets.add(Map.of("t", dir.toString())));
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("quiver.shm-directory", shm.toString());
    properties.put("quiver.gather-threshold", "16KB");
    properties.put("quiver.descriptor-exchange", descriptors);
    return TestCluster.start(datasets, properties);
  }

  @Test
  void coLocatedNodesShuffleByDescriptorAndAnswerAsDuckDb() throws Exception {
    try (TestCluster cluster = cluster(true);
        QuiverClient client = QuiverClient.connect(cluster.uri(0))) {
      QueryStatistics statistics = run(client);
      assertThat(statistics.label("strategy")).isEqualTo("shuffle");
      assertThat(statistics.get("bytesShuffledByDescriptor")).isPositive();
      assertThat(statistics.get("bytesShuffledByDescriptor"))
          .as("every partition between these nodes goes by descriptor")
          .isEqualTo(statistics.get("bytesShuffled"));
      assertThat(objectsLeft()).isEmpty();
    }
  }

  @Test
  void aRestartedPeerGetsItsPartitionsAsStreamsUntilItIsCheckedAgain() throws Exception {
    try (TestCluster cluster = cluster(true)) {
      try (QuiverClient client = QuiverClient.connect(cluster.uri(0))) {
        assertThat(run(client).get("bytesShuffledByDescriptor"))
            .as("the survivors learned that node 2 shares their host")
            .isPositive();
      }
      cluster.restart(2); // a new store: the nonce the survivors read from node 2 is stale
      for (int survivor = 0; survivor < 2; survivor++) {
        try (QuiverClient client = QuiverClient.connect(cluster.uri(survivor))) {
          QueryStatistics first = run(client);
          assertThat(first.label("strategy")).isEqualTo("shuffle");
          QueryStatistics next = run(client);
          assertThat(next.get("bytesShuffledByDescriptor"))
              .as("node 2 checked again: every partition by descriptor")
              .isEqualTo(next.get("bytesShuffled"));
        }
      }
      assertThat(objectsLeft()).isEmpty();
    }
  }

  @Test
  void withoutDescriptorsTheSamePartitionsStreamOverFlight() throws Exception {
    try (TestCluster cluster = cluster(false);
        QuiverClient client = QuiverClient.connect(cluster.uri(0))) {
      QueryStatistics statistics = run(client);
      assertThat(statistics.get("bytesShuffled")).isPositive();
      assertThat(statistics.get("bytesShuffledByDescriptor")).isZero();
    }
  }

  private static QueryStatistics run(QuiverClient client) {
    try (BatchStream stream = client.query(SQL)) {
      List<String> actual = AggregateRows.of(stream);
      actual.sort(Comparator.naturalOrder());
      assertThat(actual).isEqualTo(expected);
      return stream.statistics();
    }
  }

  private List<Path> objectsLeft() throws IOException {
    try (Stream<Path> files = Files.walk(shm)) {
      return files.filter(f -> f.getFileName().toString().contains(".arrow")).toList();
    }
  }
}
