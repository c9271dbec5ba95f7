package dev.quiver.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quiver.client.DatasetInfo;
import dev.quiver.client.QuiverClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's tour, as a person runs it: {@code ./quiver serve} on the embedded sample, then
 * {@code ./quiver get trips --format csv} reads all 3,000,000 rows to the end into a terminal. The
 * terminal takes the CSV more slowly than the node sends it, so a stream's last batches wait in
 * gRPC's queue after the stream ended, for seconds; that is no leak, and the node must neither say
 * it is nor fail the stream.
 */
class SampleReadTest {
  @TempDir Path work;

  @Test
  void readingTheWholeSampleAsCsvLeavesNoLeakAlarmInTheNodesLog() throws Exception {
    int port = LaunchedNodeTest.freePort();
    Path log = work.resolve("node.log");
    Process node =
        new ProcessBuilder(
                LaunchedNodeTest.ROOT.resolve("quiver").toString(),
                "serve",
                "--port=" + port,
                "--sample-dir=" + work.resolve("sample"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      URI uri = URI.create("grpc://127.0.0.1:" + port);
      await()
          .atMost(Duration.ofSeconds(180))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .failFast("the node exited", () -> !node.isAlive())
          .until(() -> datasets(uri), d -> !d.isEmpty());

      Process get =
          new ProcessBuilder(
                  LaunchedNodeTest.ROOT.resolve("quiver").toString(),
                  "get",
                  "trips",
                  "--format",
                  "csv",
                  "--server=" + uri)
              .redirectError(work.resolve("get.err").toFile())
              .start();
      assertThat(linesReadLikeATerminal(get.getInputStream()))
          .as("the header and every row")
          .isEqualTo(3_000_001);
      assertThat(get.waitFor(60, TimeUnit.SECONDS)).as("the CLI finished").isTrue();
      assertThat(get.exitValue()).as(Files.readString(work.resolve("get.err"))).isZero();

      // The node frees each stream's memory once gRPC has written its last batches; it says
      // nothing about it, for longer than it used to wait before raising the alarm.
      await()
          .during(Duration.ofSeconds(8))
          .atMost(Duration.ofSeconds(10))
          .until(() -> alarms(log), List::isEmpty);
    } finally {
      node.destroy();
      if (!node.waitFor(60, TimeUnit.SECONDS)) {
        node.destroyForcibly();
      }
    }
    assertThat(Files.readString(log)).contains("Quiver node stopped");
    assertThat(alarms(log)).isEmpty();
  }

  /**
   * Counts the lines of {@code out}, taking them at about 20 MB/s, as a terminal or a pipe into a
   * slower program would: the CLI waits on its output, so the node's streams wait on the CLI.
   */
  private static long linesReadLikeATerminal(InputStream out) throws IOException {
    byte[] chunk = new byte[256 << 10];
    long lines = 0;
    try (out) {
      for (int read; (read = out.read(chunk)) >= 0; ) {
        for (int i = 0; i < read; i++) {
          if (chunk[i] == '\n') {
            lines++;
          }
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(12)); // the terminal's pace
      }
    }
    return lines;
  }

  /** The node's lines that say memory was held or leaked, or that a stream failed. */
  private static List<String> alarms(Path log) throws IOException {
    return Files.readAllLines(log).stream()
        .filter(
            line ->
                line.contains("still holds")
                    || line.contains("Memory was leaked")
                    || line.contains("failed"))
        .toList();
  }

  private static List<DatasetInfo> datasets(URI uri) throws InterruptedException {
    try (QuiverClient client = QuiverClient.connect(uri)) {
      return client.datasets();
    }
  }
}
