package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.client.BatchStream;
import dev.quiver.client.QueryStatistics;
import dev.quiver.client.QuiverClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Datasets on S3 (a real S3-compatible server, S3Proxy, in its own process) read through Hadoop's
 * S3A file system: Hive-partitioned files written by DuckDB answer as DuckDB answers over the same
 * files, on one node and on three nodes sharing the bucket; a projection fetches only its column
 * chunks; a missing bucket, wrong credentials and a file deleted after startup fail naming the
 * location.
 */
class ObjectStorageTest {
  @TempDir static Path dir;
  static S3Server s3;
  static DuckDb duckdb;
  static Path trips;
  static final String LOCATION = "s3a://lake/trips/";

  @BeforeAll
  static void writeTripsToTheBucket() throws Exception {
    s3 = S3Server.start(dir.resolve("s3"));
    duckdb = new DuckDb();
    trips = s3.bucket("lake").resolve("trips");
    // Three Hive partitions by year, 1,000-row groups, a wide text column that projections skip.
    duckdb.execute(
        "COPY (SELECT i AS id, 2022 + i % 3 AS year, (i % 17)::INTEGER AS zone,"
            + " CASE WHEN i % 9 = 0 THEN NULL ELSE i * 0.25 END AS fare,"
            + " repeat('x', 200) || i AS note"
            + " FROM range(60000) r(i)) TO '"
            + trips
            + "' (FORMAT PARQUET, PARTITION_BY (year), ROW_GROUP_SIZE 1000)");
    duckdb.execute(
        "CREATE VIEW trips AS SELECT * FROM read_parquet('"
            + trips
            + "/**/*.parquet', hive_partitioning = true)");
  }

  @AfterAll
  static void stop() throws Exception {
    duckdb.close();
    s3.close();
  }

  @Test
  void aGroupByOverHivePartitionsOnS3AnswersAsDuckDbOnOneNodeAndOnThree() throws Exception {
    String sql =
        "SELECT year, zone, COUNT(*), SUM(fare), MIN(id), MAX(note) FROM trips"
            + " WHERE year >= 2023 GROUP BY year, zone";
    List<String> expected = sorted(AggregateRows.ofDuckDb(duckdb.query(sql)));
    try (TestNode node = TestNode.start(Map.of("trips", LOCATION), s3.nodeProperties())) {
      assertThat(sorted(query(node.uri(), sql))).isEqualTo(expected);
    }
    // s3a:// is storage every node sees: the coordinator deals row groups out to the three.
    Map<String, Object> settings = new HashMap<>(s3.nodeProperties());
    settings.put("quiver.split-bytes", "32KB");
    settings.put("quiver.gather-threshold", "1KB");
    try (TestCluster cluster =
        TestCluster.start(
            List.of(
                Map.of("trips", LOCATION), Map.of("trips", LOCATION), Map.of("trips", LOCATION)),
            settings)) {
      assertThat(sorted(query(cluster.uri(1), sql))).isEqualTo(expected);
      assertThat(sorted(query(cluster.uri(0), "SELECT COUNT(*), SUM(id) FROM trips")))
          .isEqualTo(
              sorted(AggregateRows.ofDuckDb(duckdb.query("SELECT COUNT(*), SUM(id) FROM trips"))));
    }
  }

  @Test
  void aProjectionFetchesOnlyItsColumnChunksInRangedRequests() throws Exception {
    long objectBytes;
    try (var files = Files.walk(trips)) {
      objectBytes = files.filter(Files::isRegularFile).mapToLong(ObjectStorageTest::size).sum();
    }
    List<Object> zoneChunks =
        duckdb
            .query(
                "SELECT COUNT(*), SUM(total_compressed_size) FROM parquet_metadata('"
                    + trips
                    + "/**/*.parquet') WHERE path_in_schema = 'zone'")
            .get(0);
    long rowGroups = ((Number) zoneChunks.get(0)).longValue();
    long zoneBytes = ((Number) zoneChunks.get(1)).longValue();
    try (TestNode node = TestNode.start(Map.of("trips", LOCATION), s3.nodeProperties());
        QuiverClient client = QuiverClient.connect(node.uri());
        BatchStream stream = client.query("SELECT zone FROM trips")) {
      long rows = 0;
      while (stream.next()) {
        rows += stream.root().getRowCount();
      }
      QueryStatistics statistics = stream.statistics();
      assertThat(rows).isEqualTo(60_000);
      long requests = statistics.counters().getOrDefault("storageRequests", 0L);
      long bytes = statistics.counters().getOrDefault("storageBytes", 0L);
      // One ranged read per row group, of exactly its zone column chunk; never a whole object.
      assertThat(requests).isEqualTo(rowGroups);
      assertThat(bytes).isEqualTo(zoneBytes).isLessThan(objectBytes / 20);
    }
  }

  @Test
  void aMissingBucketOrWrongCredentialsStopTheNodeNamingTheLocation() {
    assertThatThrownBy(
            () -> TestNode.start(Map.of("t", "s3a://no-such-bucket/t/"), s3.nodeProperties()))
        .hasStackTraceContaining("Cannot list dataset 't' at s3a://no-such-bucket/t/")
        .hasStackTraceContaining("bucket does not exist");
    Map<String, Object> wrongSecret = new HashMap<>(s3.nodeProperties());
    wrongSecret.put("quiver.hadoop.fs.s3a.secret.key", "not-the-secret");
    assertThatThrownBy(() -> TestNode.start(Map.of("trips", LOCATION), wrongSecret))
        .hasStackTraceContaining("s3a://lake/trips");
  }

  @Test
  void aFileDeletedAfterStartupFailsTheQueryNamingItAndTheNodeKeepsServing() throws Exception {
    Path copy = s3.bucket("scratch").resolve("t");
    duckdb.execute(
        "COPY (SELECT i AS id, i % 2 AS part FROM range(1000) r(i)) TO '"
            + copy
            + "' (FORMAT PARQUET, PARTITION_BY (part), ROW_GROUP_SIZE 100)");
    List<Path> files;
    try (var found = Files.walk(copy)) {
      files = found.filter(Files::isRegularFile).sorted().toList();
    }
    try (TestNode node = TestNode.start(Map.of("t", "s3a://scratch/t"), s3.nodeProperties())) {
      assertThat(query(node.uri(), "SELECT COUNT(*) FROM t")).containsExactly("1000");
      Files.delete(files.get(0));
      assertThatThrownBy(() -> query(node.uri(), "SELECT SUM(id) FROM t"))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isNotEqualTo(FlightStatusCode.OK))
          .hasMessageContaining("part=0/" + files.get(0).getFileName())
          .hasMessageNotContaining("s3a://scratch")
          .hasMessageContaining("refresh");
      assertThat(query(node.uri(), "SELECT COUNT(*) FROM t WHERE part = 1")).containsExactly("500");
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<String> query(java.net.URI uri, String sql) throws InterruptedException {
    try (QuiverClient client = QuiverClient.connect(uri);
        BatchStream stream = client.query(sql)) {
      return AggregateRows.of(stream);
    }
  }

  private static List<String> sorted(List<String> rows) {
    List<String> copy = new ArrayList<>(rows);
    copy.sort(null);
    return copy;
  }
}
