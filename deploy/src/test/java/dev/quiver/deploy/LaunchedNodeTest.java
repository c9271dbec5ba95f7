package dev.quiver.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quiver.client.DatasetInfo;
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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node started exactly as the chart's container starts it: the image's launcher ({@code quiver
 * serve}), the environment the StatefulSet sets ({@code QUIVER_ADVERTISE} with the pod's name,
 * {@code QUIVER_JAVA_OPTS}, {@code MICRONAUT_CONFIG_FILES}) and the configuration file the
 * ConfigMap mounts. It serves the chart's datasets, answers Flight calls, and stops cleanly on
 * SIGTERM, as Kubernetes stops a pod.
 */
class LaunchedNodeTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @TempDir Path work;

  @Test
  void nodeStartsFromTheChartsConfigurationAndAnswers() throws Exception {
    Path data = Files.createDirectories(work.resolve("data"));
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckdb.createStatement()) {
      statement.execute(
          "COPY (SELECT i AS id, i % 7 AS k FROM range(0, 4242) t(i)) TO '"
              + data.resolve("trips.parquet")
              + "' (FORMAT PARQUET)");
    }
    int port = freePort();
    Chart chart =
        Chart.render(
            Map.of(
                "replicaCount",
                1,
                "port",
                port,
                "datasets.trips",
                data.toString(),
                "resources.limits.memory",
                "1Gi"));
    Path config = work.resolve("quiver.yml");
    Files.writeString(config, chart.nodeConfigText(), StandardCharsets.UTF_8);

    ProcessBuilder launcher =
        new ProcessBuilder(
                ROOT.resolve("quiver").toString(), chart.container().path("args").get(0).asText())
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("node.log").toFile());
    chart
        .env()
        .forEach(
            (name, value) ->
                launcher
                    .environment()
                    .put(
                        name,
                        value
                            .replace("$(POD_NAME)", "quiver-0")
                            .replace("$(POD_NAMESPACE)", "data")));
    // The file the ConfigMap mounts at /etc/quiver/quiver.yml, here in a temporary folder.
    launcher.environment().put("MICRONAUT_CONFIG_FILES", config.toString());
    assertThat(chart.env().get("MICRONAUT_CONFIG_FILES")).isEqualTo("/etc/quiver/quiver.yml");

    Process node = launcher.start();
    try {
      URI uri = URI.create("grpc://127.0.0.1:" + port);
      List<DatasetInfo> datasets =
          await()
              .atMost(Duration.ofSeconds(120))
              .pollInterval(Duration.ofMillis(500))
              .ignoreExceptions()
              .failFast("the node exited", () -> !node.isAlive())
              .until(() -> list(uri), d -> !d.isEmpty());
      assertThat(datasets)
          .singleElement()
          .satisfies(
              d -> {
                assertThat(d.name()).isEqualTo("trips");
                assertThat(d.rows()).isEqualTo(4242);
              });
      try (QuiverClient client = QuiverClient.connect(uri)) {
        assertThat(client.action("health").get("status").asText()).isEqualTo("SERVING");
      }
      // The CLI, as a person runs it: its output is the answer, without any JVM warning line.
      Process list =
          new ProcessBuilder(ROOT.resolve("quiver").toString(), "list", "--server=" + uri)
              .redirectErrorStream(true)
              .start();
      String printed = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(list.waitFor()).as(printed).isZero();
      assertThat(printed.lines().toList())
          .hasSize(2)
          .noneMatch(line -> line.contains("WARNING"))
          .anyMatch(line -> line.startsWith("trips") && line.contains("4,242"));
    } finally {
      node.destroy();
      boolean stopped = node.waitFor(60, TimeUnit.SECONDS);
      if (!stopped) {
        node.destroyForcibly();
      }
      String log = Files.readString(work.resolve("node.log"));
      assertThat(stopped).as(log).isTrue();
      assertThat(log)
          .contains(
              "advertised as grpc+tcp://quiver-0.quiver-headless.data.svc.cluster.local:" + port)
          .contains("peers []")
          .contains("Quiver node stopped")
          .doesNotContain("WARNING: Unknown module");
    }
  }

  private static List<DatasetInfo> list(URI uri) throws InterruptedException {
    try (QuiverClient client = QuiverClient.connect(uri)) {
      return client.datasets();
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
