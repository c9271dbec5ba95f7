package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.client.BatchStream;
import dev.quiver.client.QuiverClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a node does with the datasets it is given at startup. */
class NodeStartupTest {
  @TempDir Path data;

  @Test
  void refusesToStartOnACorruptFileAndNamesIt() throws Exception {
    Path dir = Files.createDirectories(data.resolve("broken"));
    try (DuckDb duckdb = new DuckDb()) {
      duckdb.writeParquet("SELECT range AS id FROM range(100)", dir.resolve("good.parquet"), "");
    }
    Path corrupt =
        Files.write(
            dir.resolve("corrupt.parquet"), "PAR1 this is not parquet at all PAR1".getBytes());
    assertThatThrownBy(() -> TestNode.start(Map.of("broken", dir.toString())))
        .hasStackTraceContaining("Cannot read Parquet footer of " + corrupt);
  }

  @Test
  void refusesToStartOnATruncatedFileAndNamesIt() throws Exception {
    Path file = data.resolve("truncated.parquet");
    try (DuckDb duckdb = new DuckDb()) {
      duckdb.writeParquet("SELECT range AS id FROM range(10000)", file, "");
    }
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    assertThatThrownBy(() -> TestNode.start(Map.of("t", file.toString())))
        .hasStackTraceContaining("Cannot read Parquet footer of " + file);
  }

  @Test
  void refusesToStartOnConflictingSchemasAndNamesBothFiles() throws Exception {
    Path dir = Files.createDirectories(data.resolve("conflict"));
    try (DuckDb duckdb = new DuckDb()) {
      duckdb.writeParquet(
          "SELECT range AS id, 'a' AS v FROM range(10)", dir.resolve("a.parquet"), "");
      duckdb.writeParquet(
          "SELECT range AS id, 1.5::DOUBLE AS v FROM range(10)", dir.resolve("b.parquet"), "");
    }
    assertThatThrownBy(() -> TestNode.start(Map.of("c", dir.toString())))
        .hasStackTraceContaining("Cannot unify column 'v'")
        .hasStackTraceContaining(dir.resolve("a.parquet").toString())
        .hasStackTraceContaining(dir.resolve("b.parquet").toString());
  }

  @Test
  void withoutAuthenticationListensOnLoopbackAndRefusesOtherInterfacesUnlessAllowed()
      throws Exception {
    Path file = data.resolve("open.parquet");
    try (DuckDb duckdb = new DuckDb()) {
      duckdb.writeParquet("SELECT 1 AS id", file, "");
    }
    assertThatThrownBy(
            () -> TestNode.start(Map.of("t", file.toString()), Map.of("quiver.host", "0.0.0.0")))
        .hasStackTraceContaining("quiver.host 0.0.0.0 without authentication")
        .hasStackTraceContaining("quiver.allow-unauthenticated");
    try (TestNode open =
        TestNode.start(
            Map.of("t", file.toString()),
            Map.of("quiver.host", "0.0.0.0", "quiver.allow-unauthenticated", true))) {
      assertThat(open.node().port()).isPositive();
    }
    // With nothing configured, the node picks loopback.
    try (io.micronaut.context.ApplicationContext context =
        io.micronaut.context.ApplicationContext.run(
            Map.of(
                "quiver.port", 0,
                "quiver.metrics-port", -1,
                "quiver.datasets.t", file.toString()))) {
      assertThat(context.getBean(dev.quiver.server.config.QuiverConfig.class).getHost())
          .isEqualTo("127.0.0.1");
      int port = context.getBean(dev.quiver.server.flight.FlightNode.class).port();
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
        assertThat(socket.isConnected()).isTrue();
      }
    }
  }

  @Test
  void refusesToStartOnAMissingLocation() {
    assertThatThrownBy(() -> TestNode.start(Map.of("gone", data.resolve("nowhere").toString())))
        .hasStackTraceContaining("Cannot find dataset location " + data.resolve("nowhere"));
  }

  @Test
  void servesWithoutADatasetWhoseFolderIsStillEmpty() throws Exception {
    Path empty = Files.createDirectories(data.resolve("not-yet"));
    Path full = data.resolve("full.parquet");
    try (DuckDb duckdb = new DuckDb()) {
      duckdb.writeParquet("SELECT range AS id FROM range(5)", full, "");
    }
    try (TestNode node = TestNode.start(Map.of("later", empty.toString(), "now", full.toString()));
        QuiverClient client = QuiverClient.connect(node.uri())) {
      assertThat(client.datasets()).extracting(d -> d.name()).containsExactly("now");
    }
  }

  @Test
  void servesWithoutSharedMemoryWhenItsDirectoryCannotBeWritten() throws Exception {
    Path full = data.resolve("plain.parquet");
    try (DuckDb duckdb = new DuckDb()) {
      duckdb.writeParquet("SELECT i AS id FROM range(0, 100) t(i)", full, "");
    }
    Path occupied = Files.writeString(data.resolve("occupied"), "a file, not a directory");
    try (TestNode node =
            TestNode.start(
                Map.of("t", full.toString()),
                Map.of("quiver.shm-directory", occupied.resolve("shm").toString()));
        QuiverClient client = QuiverClient.connect(node.uri());
        BatchStream stream = client.query("SELECT COUNT(*) FROM t")) {
      assertThat(AggregateRows.of(stream)).containsExactly("100");
      assertThatThrownBy(() -> client.sharedQuery("SELECT id FROM t"))
          .isInstanceOf(FlightRuntimeException.class)
          .hasMessageContaining("shared-memory")
          .satisfies(
              e ->
                  assertThat(((FlightRuntimeException) e).status().code())
                      .isEqualTo(FlightStatusCode.UNIMPLEMENTED));
    }
  }

  @Test
  void servesGlobsAndIgnoresHiddenAndUnderscoreFiles() throws Exception {
    Path dir = Files.createDirectories(data.resolve("glob/sub"));
    try (DuckDb duckdb = new DuckDb()) {
      duckdb.writeParquet("SELECT range AS id FROM range(10)", dir.resolve("a.parquet"), "");
      duckdb.writeParquet("SELECT range AS id FROM range(20)", dir.resolve("b.parquet"), "");
      duckdb.writeParquet("SELECT range AS id FROM range(40)", dir.resolve("c.other"), "");
    }
    Files.writeString(dir.resolve("_SUCCESS"), "");
    Files.writeString(dir.resolve(".hidden.parquet"), "not parquet");
    try (TestNode glob =
            TestNode.start(
                Map.of(
                    "g",
                    data.resolve("glob") + "/sub/*.parquet",
                    "d",
                    data.resolve("glob").toString()));
        QuiverClient client = QuiverClient.connect(glob.uri())) {
      assertThat(client.info("g").rows()).isEqualTo(30);
      assertThat(client.info("d").rows())
          .as("a directory takes every non-hidden file")
          .isEqualTo(70);
    }
  }

  @Test
  void unifiesFilesWithWidenedAndMissingColumns() throws Exception {
    Path dir = Files.createDirectories(data.resolve("evolving"));
    try (DuckDb duckdb = new DuckDb()) {
      duckdb.writeParquet(
          "SELECT range::INTEGER AS id, range::FLOAT AS f FROM range(5)",
          dir.resolve("a.parquet"),
          "");
      duckdb.writeParquet(
          "SELECT range::BIGINT AS id, range::DOUBLE AS f, 'x' || range AS extra FROM range(5, 8)",
          dir.resolve("b.parquet"),
          "");
      try (TestNode evolving = TestNode.start(Map.of("e", dir.toString()));
          QuiverClient client = QuiverClient.connect(evolving.uri());
          BatchStream stream = client.read("e")) {
        assertThat(stream.schema().toString())
            .contains("id: Int(64, true)", "f: FloatingPoint(DOUBLE)", "extra: Utf8");
        assertThat(CanonicalRows.of(stream))
            .isEqualTo(
                CanonicalRows.ofDuckDb(
                    duckdb.query(
                        "SELECT id, f, extra FROM read_parquet('"
                            + dir
                            + "/*.parquet', union_by_name = true)")));
      }
    }
  }

  @Test
  void servesTheGeneratedSampleWhenNoDatasetIsConfigured() throws Exception {
    Path sampleDir = data.resolve("sample");
    try (TestNode sample =
            TestNode.start(
                Map.of(),
                Map.of("quiver.sample-dir", sampleDir.toString(), "quiver.sample-rows", 12_000));
        QuiverClient client = QuiverClient.connect(sample.uri());
        BatchStream stream = client.read("trips");
        DuckDb duckdb = new DuckDb()) {
      String files = sampleDir.resolve("trips") + "/*.parquet";
      assertThat(client.info("trips").rows()).isEqualTo(12_000);
      assertThat(CanonicalRows.of(stream))
          .isEqualTo(
              CanonicalRows.ofDuckDb(
                  duckdb.query(
                      "SELECT trip_id, vendor_id, epoch_us(pickup_at), CAST(pickup_date AS VARCHAR), passenger_count,"
                          + " distance_km, fare, tip, payment_type, pickup_zone, pickup_borough FROM read_parquet('"
                          + files
                          + "')")));
      assertThat(
              duckdb.queryLong(
                  "SELECT count(*) FROM read_parquet('" + files + "') WHERE tip IS NULL"))
          .isPositive();
    }
  }
}
