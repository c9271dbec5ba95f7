package dev.quiver.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Client commands start from a class-data archive that the launcher has the first client command
 * after a build write as it exits. Whatever state the archive is in (missing, written, older than
 * the client's jar, damaged), a command prints the same thing and nothing about the archive.
 */
class ClientStartupTest {
  private static final Path ARCHIVE =
      LaunchedNodeTest.ROOT.resolve("client/target/quiver-client.jsa");
  private static final Path CLIENT_JAR =
      LaunchedNodeTest.ROOT.resolve("client/target/quiver-client.jar");

  @Test
  void theFirstClientCommandWritesTheArchiveAndNoStateOfItChangesWhatACommandPrints()
      throws Exception {
    Files.deleteIfExists(ARCHIVE);
    String usage = listHelp();
    assertThat(usage).startsWith("Usage: quiver list");
    assertThat(ARCHIVE).as("written by the first run").exists();
    assertThat(Files.size(ARCHIVE)).isPositive();

    assertThat(listHelp()).as("read from the archive").isEqualTo(usage);

    Files.setLastModifiedTime(
        ARCHIVE, FileTime.from(Files.getLastModifiedTime(CLIENT_JAR).toInstant().minusSeconds(60)));
    assertThat(listHelp()).as("an archive older than the jar").isEqualTo(usage);
    assertThat(Files.getLastModifiedTime(ARCHIVE).toInstant())
        .as("written again")
        .isAfter(Files.getLastModifiedTime(CLIENT_JAR).toInstant());

    Files.writeString(ARCHIVE, "not a class-data archive");
    Files.setLastModifiedTime(ARCHIVE, FileTime.from(Instant.now()));
    assertThat(listHelp()).as("a damaged archive").isEqualTo(usage);
  }

  /** {@code ./quiver list --help}'s output, checking that it exits 0 and says nothing else. */
  private static String listHelp() throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(LaunchedNodeTest.ROOT.resolve("quiver").toString(), "list", "--help")
            .start();
    byte[] out = process.getInputStream().readAllBytes();
    byte[] err = process.getErrorStream().readAllBytes();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isZero();
    assertThat(new String(err, StandardCharsets.UTF_8)).as("standard error").isEmpty();
    return new String(out, StandardCharsets.UTF_8);
  }
}
