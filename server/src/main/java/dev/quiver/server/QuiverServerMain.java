package dev.quiver.server;

import io.micronaut.context.ApplicationContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code quiver serve}: runs a node in the foreground until it is interrupted. Flags set the same
 * properties as {@code application.yml} and {@code QUIVER_...} environment variables, and win over
 * both.
 */
@Command(
    name = "quiver serve",
    mixinStandardHelpOptions = true,
    description = "Runs a Quiver node: serves Parquet datasets over Arrow Flight.")
public final class QuiverServerMain implements Callable<Integer> {

  @Option(
      names = "--host",
      description =
          "Interface to bind to (default 127.0.0.1 without authentication, 0.0.0.0 with it).")
  String host;

  @Option(
      names = "--allow-unauthenticated",
      description =
          "Listen beyond this machine without authentication: anyone who reaches the port reads"
              + " every dataset. For trusted networks only.")
  boolean allowUnauthenticated;

  @Option(names = "--port", description = "Flight port (default 8815; 0 picks a free one).")
  Integer port;

  @Option(names = "--advertise", description = "Address peers and clients reach this node at.")
  String advertise;

  @Option(
      names = "--dataset",
      paramLabel = "NAME=PATH",
      description = "A dataset: a Parquet file, a directory or a glob. Repeatable.")
  Map<String, String> datasets = new LinkedHashMap<>();

  @Option(
      names = "--hadoop",
      paramLabel = "KEY=VALUE",
      description =
          "A Hadoop property for s3a://, hdfs://, ... datasets, e.g. fs.s3a.endpoint=http://minio:9000."
              + " Repeatable.")
  Map<String, String> hadoop = new LinkedHashMap<>();

  @Option(names = "--core-site", description = "A Hadoop core-site.xml for remote datasets.")
  String coreSite;

  @Option(names = "--peers", split = ",", description = "Other nodes, as grpc://host:port,...")
  List<String> peers = new ArrayList<>();

  @Option(
      names = "--shared",
      description =
          "The --dataset locations are on storage every node sees: the coordinator hands their"
              + " row groups out to the nodes instead of each node scanning its own files.")
  boolean shared;

  @Option(names = "--memory-limit", description = "Root allocator limit, e.g. 4GB.")
  String memoryLimit;

  @Option(names = "--query-memory-limit", description = "Memory limit of each query per node.")
  String queryMemoryLimit;

  @Option(
      names = "--gather-threshold",
      description = "Partial results up to this size are gathered, not shuffled (e.g. 4MB).")
  String gatherThreshold;

  @Option(names = "--sample-dir", description = "Where the sample dataset is generated.")
  String sampleDir;

  @Option(
      names = "--spill-directory",
      description = "Where aggregations that outgrow their memory spill (default: the temp dir).")
  String spillDirectory;

  @Option(
      names = "--metrics-port",
      description = "HTTP port of /metrics for Prometheus (default 9464; -1 for none).")
  Integer metricsPort;

  @Option(names = "--tls-cert", description = "PEM certificate chain: serve TLS only.")
  String tlsCert;

  @Option(names = "--tls-key", description = "PEM private key of --tls-cert.")
  String tlsKey;

  @Option(
      names = "--tls-ca",
      description = "The cluster's CA (PEM): peers authenticate each other by certificate.")
  String tlsCa;

  @Option(
      names = "--users",
      paramLabel = "FILE",
      description = "Password file of name:bcrypt-hash lines (htpasswd -B): authenticate users.")
  String users;

  @Option(
      names = "--grants",
      paramLabel = "FILE",
      description = "YAML granting datasets to users and roles (default: all to everyone).")
  String grants;

  @Option(
      names = "--jwks-url",
      paramLabel = "URL",
      description = "An OIDC issuer's JWKS (https URL or file): accept its JWT bearer tokens.")
  String jwksUrl;

  @Option(names = "--jwt-issuer", description = "The issuer (iss) of accepted JWTs.")
  String jwtIssuer;

  @Option(names = "--jwt-audience", description = "An audience (aud) accepted JWTs must name.")
  String jwtAudience;

  @Option(
      names = "--no-descriptor-exchange",
      description = "Stream shuffle partitions to peers on this host instead of mapping them.")
  boolean noDescriptorExchange;

  @Option(
      names = "--no-spill",
      description = "Fail with RESOURCE_EXHAUSTED instead of spilling to disk.")
  boolean noSpill;

  @Option(
      names = "--verbose",
      description = "On a failure to start, print the stack trace too, not only the cause.")
  boolean verbose;

  @Override
  public Integer call() throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    ApplicationContext context;
    try {
      context = ApplicationContext.builder().properties(properties()).start();
    } catch (RuntimeException | LinkageError e) {
      System.err.println("quiver serve: " + StartupFailure.sentence(e, port));
      if (verbose) {
        e.printStackTrace();
      } else {
        System.err.println("(run with --verbose for the stack trace)");
      }
      return 1;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  context.close();
                  stopped.countDown();
                },
                "quiver-shutdown"));
    stopped.await();
    return 0;
  }

  Map<String, Object> properties() {
    Map<String, Object> properties = new LinkedHashMap<>();
    putIfSet(properties, "quiver.host", host);
    putIfSet(properties, "quiver.port", port);
    putIfSet(properties, "quiver.advertise", advertise);
    putIfSet(properties, "quiver.memory-limit", memoryLimit);
    putIfSet(properties, "quiver.query-memory-limit", queryMemoryLimit);
    putIfSet(properties, "quiver.gather-threshold", gatherThreshold);
    putIfSet(properties, "quiver.sample-dir", sampleDir);
    putIfSet(properties, "quiver.spill-directory", spillDirectory);
    putIfSet(properties, "quiver.metrics-port", metricsPort);
    putIfSet(properties, "quiver.tls-cert-chain", tlsCert);
    putIfSet(properties, "quiver.tls-private-key", tlsKey);
    putIfSet(properties, "quiver.tls-trusted-certificates", tlsCa);
    putIfSet(properties, "quiver.auth-users-file", users);
    putIfSet(properties, "quiver.auth-grants-file", grants);
    putIfSet(properties, "quiver.auth-jwks", jwksUrl);
    putIfSet(properties, "quiver.auth-jwt-issuer", jwtIssuer);
    putIfSet(properties, "quiver.auth-jwt-audience", jwtAudience);
    if (noDescriptorExchange) {
      properties.put("quiver.descriptor-exchange", false);
    }
    if (allowUnauthenticated) {
      properties.put("quiver.allow-unauthenticated", true);
    }
    if (noSpill) {
      properties.put("quiver.spill", false);
    }
    datasets.forEach((name, path) -> properties.put("quiver.datasets." + name, path));
    hadoop.forEach((key, value) -> properties.put("quiver.hadoop." + key, value));
    putIfSet(properties, "quiver.core-site", coreSite);
    if (shared && !datasets.isEmpty()) {
      properties.put("quiver.shared-datasets", List.copyOf(datasets.keySet()));
    }
    if (!peers.isEmpty()) {
      properties.put("quiver.peers", peers);
    }
    return properties;
  }

  private static void putIfSet(Map<String, Object> properties, String key, Object value) {
    if (value != null) {
      properties.put(key, value);
    }
  }

  public static void main(String[] args) {
    allowNettyUnzeroedChunks();
    // gRPC logs through java.util.logging; route it to the node's log.
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    int exit = new CommandLine(new QuiverServerMain()).execute(args);
    if (exit != 0) {
      System.exit(exit);
    }
  }

  /**
   * Lets Netty allocate its pooled direct chunks without zeroing them (and without a cleaner per
   * chunk), as it does when it may reach {@code DirectByteBuffer}'s constructor; the JVM flags
   * every launcher passes for Arrow open {@code java.nio} for that. Otherwise each 16 MB chunk is
   * zeroed when a query's allocations first need it, about 6% of an aggregation's CPU. Nothing
   * reads uninitialized memory: Arrow zeroes every vector buffer it allocates from those chunks.
   * Set before any Netty class loads; a value given with {@code -D} wins.
   */
  public static void allowNettyUnzeroedChunks() {
    if (System.getProperty("io.netty.tryReflectionSetAccessible") == null) {
      System.setProperty("io.netty.tryReflectionSetAccessible", "true");
    }
  }
}
