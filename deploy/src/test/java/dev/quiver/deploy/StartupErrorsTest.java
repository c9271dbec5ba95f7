package dev.quiver.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that cannot start says why in one sentence on standard error, with the fix where there is
 * one, and exits non-zero: no framework stack trace unless asked for with {@code --verbose}. (The
 * node's log lines go to standard error too; the sentence is the next-to-last line.)
 */
class StartupErrorsTest {
  record Run(int exit, List<String> err, String out) {
    /** The sentence, after checking that it ends standard error and no stack trace came. */
    String failure() {
      assertThat(exit).as("exit status").isNotZero();
      assertThat(err).last().isEqualTo("(run with --verbose for the stack trace)");
      assertThat(err).noneMatch(line -> line.startsWith("\tat ") || line.contains("Exception"));
      assertThat(err).filteredOn(line -> line.startsWith("quiver serve: ")).hasSize(1);
      return err.get(err.size() - 2);
    }
  }

  @Test
  void aMissingDatasetLocationIsOneSentenceNamingIt() throws Exception {
    Run run = serve("--port=0", "--dataset", "t=/no/such/path");
    assertThat(run.failure())
        .isEqualTo(
            "quiver serve: Cannot list dataset 't' at /no/such/path: Cannot find dataset location"
                + " /no/such/path");
    assertThat(run.out()).doesNotContain("Exception");
  }

  @Test
  void aPortInUseNamesThePortAndTheFix() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      Run run = serve("--port=" + taken.getLocalPort(), "--metrics-port=-1");
      assertThat(run.failure())
          .startsWith("quiver serve: Port " + taken.getLocalPort() + " is already in use")
          .contains("choose another port with --port");
    }
  }

  @Test
  void listeningBeyondThisMachineWithoutAuthenticationSaysHowToChoose() throws Exception {
    Run run = serve("--port=0", "--host=0.0.0.0", "--metrics-port=-1");
    assertThat(run.failure())
        .startsWith("quiver serve: quiver.host 0.0.0.0 without authentication")
        .contains("--allow-unauthenticated");
  }

  @Test
  void aCsvGivenAsADatasetSaysThereIsNoParquetThere(@TempDir Path dir) throws Exception {
    Path csv = Files.writeString(dir.resolve("trips.csv"), "id,fare\n1,2.5\n");
    Run run = serve("--port=0", "--metrics-port=-1", "--dataset", "trips=" + csv);
    assertThat(run.failure())
        .isEqualTo("quiver serve: Cannot load dataset 'trips': no Parquet files at " + csv);
  }

  @Test
  void aStrayFileFailsADatasetOnlyWhenDatasetsAreStrict(@TempDir Path dir) throws Exception {
    Path data = Files.createDirectories(dir.resolve("trips"));
    Files.writeString(data.resolve("README.txt"), "trips of 2024\n");
    Run run =
        serve(
            Map.of("QUIVER_STRICT_DATASETS", "true"),
            "--port=0",
            "--metrics-port=-1",
            "--dataset",
            "trips=" + data);
    assertThat(run.failure())
        .isEqualTo(
            "quiver serve: Cannot load dataset 'trips': "
                + data.resolve("README.txt")
                + " is not a Parquet file (no .parquet name, no Parquet magic); remove it, or let"
                + " stray files be skipped (quiver.strict-datasets=false)");
  }

  @Test
  void verboseAddsTheStackTrace() throws Exception {
    Run run = serve("--port=0", "--dataset", "t=/no/such/path", "--verbose");
    assertThat(run.exit()).isNotZero();
    assertThat(run.err())
        .anySatisfy(line -> assertThat(line).startsWith("quiver serve: Cannot list dataset 't'"))
        .anySatisfy(line -> assertThat(line).startsWith("\tat "));
  }

  private static Run serve(String... args) throws IOException, InterruptedException {
    return serve(Map.of(), args);
  }

  /** Runs {@code quiver serve args} with {@code env} added to its environment, until it exits. */
  private static Run serve(Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(LaunchedNodeTest.ROOT.resolve("quiver").toString());
    command.add("serve");
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    Process process = builder.start();
    byte[] out = process.getInputStream().readAllBytes();
    byte[] err = process.getErrorStream().readAllBytes();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Run(
        process.exitValue(),
        new String(err, StandardCharsets.UTF_8).lines().toList(),
        new String(out, StandardCharsets.UTF_8));
  }
}
