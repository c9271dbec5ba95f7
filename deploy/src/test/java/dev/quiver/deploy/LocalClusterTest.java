package dev.quiver.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.client.BatchStream;
import dev.quiver.client.QueryStatistics;
import dev.quiver.client.QuiverClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/local/cluster} starts nodes on this machine that form one cluster (each serving its
 * own folder), reports them, and stops them all.
 */
class LocalClusterTest {
  @TempDir Path work;

  @Test
  void startsAClusterThatAnswersForAllNodesAndStopsIt() throws Exception {
    Path data = work.resolve("trips");
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckdb.createStatement()) {
      for (int n = 0; n < 2; n++) {
        Path folder = Files.createDirectories(data.resolve("node-" + n));
        statement.execute(
            "COPY (SELECT i AS id, i %% 5 AS k FROM range(%d, %d) t(i)) TO '%s' (FORMAT PARQUET)"
                .formatted(n * 1000, n * 1000 + 1000, folder.resolve("part.parquet")));
      }
    }
    int port = twoFreePorts();
    Path state = work.resolve("state");
    String started =
        script(
            "start",
            "2",
            "trips=" + data,
            "--base-port",
            Integer.toString(port),
            "--state",
            state.toString());
    assertThat(started)
        .contains("node 0: grpc://127.0.0.1:" + port, "node 1: grpc://127.0.0.1:" + (port + 1))
        .contains("cluster: 2 nodes serving");
    try {
      URI uri = URI.create("grpc://127.0.0.1:" + port);
      // start returned once both nodes served: the first query is answered by both.
      List<String> rows = query(uri, "SELECT k, COUNT(*) FROM trips GROUP BY k");
      assertThat(rows).containsExactlyInAnyOrder("0|400", "1|400", "2|400", "3|400", "4|400");
      assertThat(script("status", "--state", state.toString()))
          .contains("node-0: running", "node-1: running");
    } finally {
      assertThat(script("stop", "--state", state.toString())).contains("stopped");
    }
    assertThat(Files.readString(state.resolve("node-0.log"))).contains("Quiver node stopped");
    assertThat(Files.readString(state.resolve("node-1.log"))).contains("Quiver node stopped");
  }

  private static List<String> query(URI uri, String sql) throws Exception {
    List<String> rows = new ArrayList<>();
    try (QuiverClient client = QuiverClient.connect(uri);
        BatchStream stream = client.query(sql)) {
      while (stream.next()) {
        for (int r = 0; r < stream.root().getRowCount(); r++) {
          rows.add(
              stream.root().getVector(0).getObject(r)
                  + "|"
                  + stream.root().getVector(1).getObject(r));
        }
      }
      QueryStatistics statistics = stream.statistics();
      assertThat(statistics.get("nodes")).isEqualTo(2);
    }
    return rows;
  }

  private static String script(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(LaunchedNodeTest.ROOT.resolve("deploy/local/cluster").toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(90, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }

  /** A port whose next port is free too. */
  private static int twoFreePorts() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int port = LaunchedNodeTest.freePort();
      try (ServerSocket next = new ServerSocket(port + 1)) {
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("No two consecutive free ports");
  }
}
