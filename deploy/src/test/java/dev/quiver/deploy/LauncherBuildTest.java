package dev.quiver.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's first run builds Quiver and then runs the command, whose errors must reach the
 * user. The launcher runs in a copy of the source tree whose jars are missing; {@code mvn} on its
 * path stands in for the minute-long build by linking the jars this build made, so what follows the
 * build is the real client failing for real.
 */
class LauncherBuildTest {
  @TempDir Path tree;

  @Test
  void errorsAfterTheFirstBuildReachStandardError() throws Exception {
    Path launcher = tree.resolve("quiver");
    Files.copy(LaunchedNodeTest.ROOT.resolve("quiver"), launcher);
    launcher.toFile().setExecutable(true);
    for (String module : new String[] {"server", "client", "parquet-scan", "shuffle"}) {
      Files.createDirectories(tree.resolve(module).resolve("src/main"));
      Files.writeString(tree.resolve(module).resolve("pom.xml"), "<project/>");
    }
    Files.writeString(tree.resolve("pom.xml"), "<project/>");
    Path bin = Files.createDirectories(tree.resolve("bin"));
    Path mvn = bin.resolve("mvn");
    Files.writeString(
        mvn,
        "#!/usr/bin/env bash\n"
            + "echo 'the build log' \n"
            + "for m in server client; do\n"
            + "  mkdir -p \""
            + tree
            + "/$m/target\"\n"
            + "  ln -sf \""
            + LaunchedNodeTest.ROOT
            + "/$m/target/quiver-$m.jar\" \""
            + tree
            + "/$m/target/quiver-$m.jar\"\n"
            + "  ln -sfn \""
            + LaunchedNodeTest.ROOT
            + "/$m/target/lib\" \""
            + tree
            + "/$m/target/lib\"\n"
            + "done\n",
        StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));

    int closed = LaunchedNodeTest.freePort();
    ProcessBuilder run =
        new ProcessBuilder(launcher.toString(), "list", "--server=grpc://127.0.0.1:" + closed)
            .redirectOutput(tree.resolve("out.txt").toFile())
            .redirectError(tree.resolve("err.txt").toFile());
    run.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    Process process = run.start();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("the launcher finished").isTrue();

    String err = Files.readString(tree.resolve("err.txt"));
    assertThat(process.exitValue()).isNotZero();
    assertThat(err).contains("quiver: building Quiver");
    assertThat(err.substring(err.indexOf("building Quiver")))
        .as("what the launcher printed after building")
        .contains("127.0.0.1:" + closed);

    // The command also started writing the client's class-data archive in the background (see
    // ClientStartupTest); the tree is deleted after the test, so let that finish first.
    Path target = tree.resolve("client/target");
    await()
        .atMost(Duration.ofSeconds(180))
        .until(
            () ->
                Files.exists(target.resolve("quiver-client.jsa"))
                    && !Files.exists(target.resolve("quiver-client.jsa.lock")));
  }
}
