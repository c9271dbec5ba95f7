package dev.quiver.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real S3-compatible server, S3Proxy with its file-system backend, started as a separate process
 * on a free loopback port. A bucket is a directory under {@link #root()}: files written there are
 * objects, so tests write Parquet with DuckDB straight into {@code bucket(name)}.
 */
final class S3Server implements AutoCloseable {
  static final String ACCESS_KEY = "quiver-test";
  static final String SECRET_KEY = "quiver-test-secret";

  private final Path root;
  private final int port;
  private final Process process;
  private final Path log;

  private S3Server(Path root, int port, Process process, Path log) {
    this.root = root;
    this.port = port;
    this.process = process;
    this.log = log;
  }

  /** Starts a server whose buckets live under {@code directory}. */
  static S3Server start(Path directory) throws IOException {
    Path root = Files.createDirectories(directory.resolve("buckets"));
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path properties = directory.resolve("s3proxy.properties");
    Files.writeString(
        properties,
        String.join(
            "\n",
            "s3proxy.endpoint=http://127.0.0.1:" + port,
            "s3proxy.authorization=aws-v2-or-v4",
            "s3proxy.identity=" + ACCESS_KEY,
            "s3proxy.credential=" + SECRET_KEY,
            "jclouds.provider=filesystem",
            "jclouds.filesystem.basedir=" + root,
            ""));
    Path jar = Path.of(System.getProperty("quiver.s3proxy.jar", "target/s3proxy/s3proxy.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "S3Proxy is not at " + jar.toAbsolutePath() + "; run the tests through Maven");
    }
    Path log = directory.resolve("s3proxy.log");
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                jar.toString(),
                "--properties",
                properties.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    S3Server server = new S3Server(root, port, process, log);
    server.awaitListening(Duration.ofSeconds(60));
    return server;
  }

  /** The directory holding the objects of {@code bucket}, created if missing. */
  Path bucket(String bucket) {
    try {
      return Files.createDirectories(root.resolve(bucket));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The Hadoop settings that point S3A at this server, as node properties. */
  Map<String, Object> nodeProperties() {
    Map<String, Object> properties = new LinkedHashMap<>();
    hadoopProperties().forEach((key, value) -> properties.put("quiver.hadoop." + key, value));
    return properties;
  }

  /** The Hadoop settings that point S3A at this server. */
  Map<String, String> hadoopProperties() {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("fs.s3a.endpoint", "http://127.0.0.1:" + port);
    properties.put("fs.s3a.endpoint.region", "us-east-1");
    properties.put("fs.s3a.path.style.access", "true");
    properties.put("fs.s3a.connection.ssl.enabled", "false");
    properties.put("fs.s3a.access.key", ACCESS_KEY);
    properties.put("fs.s3a.secret.key", SECRET_KEY);
    // S3Proxy's file-system backend leaves the ETag out of ranged GET responses.
    properties.put("fs.s3a.change.detection.version.required", "false");
    properties.put("fs.s3a.attempts.maximum", "1");
    properties.put("fs.s3a.retry.limit", "1");
    return properties;
  }

  private void awaitListening(Duration timeout) throws IOException {
    try {
      org.awaitility.Awaitility.await()
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(100))
          .failFast("S3Proxy exited", () -> !process.isAlive())
          .until(this::listening);
    } catch (org.awaitility.core.ConditionTimeoutException
        | org.awaitility.core.TerminalFailureException e) {
      close();
      throw new IllegalStateException("S3Proxy did not start within " + timeout + ": " + tail(), e);
    }
  }

  private boolean listening() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  private String tail() throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
