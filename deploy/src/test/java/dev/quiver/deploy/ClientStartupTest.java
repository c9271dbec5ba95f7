package dev.quiver.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quiver.client.DatasetInfo;
import dev.quiver.client.QuiverClient;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client commands start from a class-data archive that the launcher writes in the background after
 * a build, from a training run of every subcommand whose output goes nowhere. Whatever state the
 * archive is in (missing and being written, written, older than the client's jar, damaged, its lock
 * left behind by a training that died), a command prints exactly what it prints without one, and
 * nothing about the archive.
 */
class ClientStartupTest {
  private static final Path ARCHIVE =
      LaunchedNodeTest.ROOT.resolve("client/target/quiver-client.jsa");
  private static final Path LOCK =
      LaunchedNodeTest.ROOT.resolve("client/target/quiver-client.jsa.lock");
  private static final Path CLIENT_JAR =
      LaunchedNodeTest.ROOT.resolve("client/target/quiver-client.jar");
  private static final Duration TRAINING = Duration.ofSeconds(180);

  @TempDir Path work;

  @Test
  void noStateOfTheArchiveChangesWhatACommandPrints() throws Exception {
    int port = LaunchedNodeTest.freePort();
    Process node =
        new ProcessBuilder(
                LaunchedNodeTest.ROOT.resolve("quiver").toString(),
                "serve",
                "--port=" + port,
                "--sample-dir=" + work.resolve("sample"))
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("node.log").toFile())
            .start();
    try {
      URI uri = URI.create("grpc://127.0.0.1:" + port);
      await()
          .atMost(Duration.ofSeconds(180))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .failFast("the node exited", () -> !node.isAlive())
          .until(() -> datasets(uri), d -> !d.isEmpty());
      List<List<String>> commands =
          List.of(
              List.of("list", "--help"),
              List.of("list", "--server=" + uri),
              List.of(
                  "sql",
                  "SELECT payment_type, COUNT(*) FROM trips GROUP BY payment_type"
                      + " ORDER BY payment_type",
                  "--server=" + uri),
              List.of(
                  "sql",
                  "SELECT trip_id, pickup_at, fare FROM trips WHERE trip_id < 3 ORDER BY trip_id",
                  "--format=csv",
                  "--server=" + uri));

      waitForAnyTrainingToEnd();
      Files.deleteIfExists(ARCHIVE);
      List<String> uncached = printed(commands);
      assertThat(uncached.get(0)).startsWith("Usage: quiver list");
      assertThat(uncached.get(1)).contains("trips").contains("3,000,000");
      assertThat(uncached.get(3).lines()).hasSize(4);
      await("the archive, written in the background").atMost(TRAINING).until(this::archiveIsFresh);
      waitForAnyTrainingToEnd();

      assertThat(printed(commands)).as("read from the archive").isEqualTo(uncached);

      Files.setLastModifiedTime(
          ARCHIVE,
          FileTime.from(Files.getLastModifiedTime(CLIENT_JAR).toInstant().minusSeconds(60)));
      assertThat(printed(commands)).as("an archive older than the jar").isEqualTo(uncached);
      await("the archive, written again").atMost(TRAINING).until(this::archiveIsFresh);
      waitForAnyTrainingToEnd();

      Files.writeString(ARCHIVE, "not a class-data archive");
      Files.setLastModifiedTime(ARCHIVE, FileTime.from(Instant.now()));
      assertThat(printed(commands)).as("a damaged archive").isEqualTo(uncached);

      // A training that died leaves its lock: a fresh lock means one is running (no second one
      // starts), a lock older than ten minutes is taken over.
      Files.delete(ARCHIVE);
      Files.createDirectories(LOCK);
      Files.setLastModifiedTime(LOCK, FileTime.from(Instant.now().minusSeconds(3600)));
      assertThat(printed(commands)).as("a lock left behind").isEqualTo(uncached);
      await("the archive, written by taking the lock over")
          .atMost(TRAINING)
          .until(this::archiveIsFresh);
      waitForAnyTrainingToEnd();
      assertThat(printed(commands)).as("read from that archive").isEqualTo(uncached);
    } finally {
      node.destroy();
      if (!node.waitFor(60, TimeUnit.SECONDS)) {
        node.destroyForcibly();
      }
    }
  }

  private boolean archiveIsFresh() throws IOException {
    return Files.isRegularFile(ARCHIVE)
        && Files.size(ARCHIVE) > 0
        && Files.getLastModifiedTime(ARCHIVE).compareTo(Files.getLastModifiedTime(CLIENT_JAR)) > 0;
  }

  /** A training writes its archive and then drops its lock. */
  private static void waitForAnyTrainingToEnd() {
    await("the training's lock released").atMost(TRAINING).until(() -> !Files.exists(LOCK));
  }

  /**
   * What each of the {@code ./quiver} commands printed, checking that it exits 0 with no stderr.
   */
  private static List<String> printed(List<List<String>> commands)
      throws IOException, InterruptedException {
    List<String> printed = new ArrayList<>();
    for (List<String> arguments : commands) {
      List<String> command = new ArrayList<>();
      command.add(LaunchedNodeTest.ROOT.resolve("quiver").toString());
      command.addAll(arguments);
      Process process = new ProcessBuilder(command).start();
      byte[] out = process.getInputStream().readAllBytes();
      byte[] err = process.getErrorStream().readAllBytes();
      assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).as(arguments.toString()).isZero();
      assertThat(new String(err, StandardCharsets.UTF_8))
          .as("standard error of %s", arguments)
          .isEmpty();
      printed.add(new String(out, StandardCharsets.UTF_8));
    }
    return printed;
  }

  private static List<DatasetInfo> datasets(URI uri) throws InterruptedException {
    try (QuiverClient client = QuiverClient.connect(uri)) {
      return client.datasets();
    }
  }
}
