package dev.quiver.server.flight;

import static java.util.Objects.requireNonNull;

import dev.quiver.client.BearerToken;
import dev.quiver.client.Tls;
import dev.quiver.parquet.predicate.Constant;
import dev.quiver.parquet.scan.ScanRequest;
import dev.quiver.parquet.scan.ScanStatistics;
import dev.quiver.server.auth.InternalCalls;
import dev.quiver.server.auth.JwtVerifier;
import dev.quiver.server.auth.NodeAuthenticator;
import dev.quiver.server.auth.TicketSigner;
import dev.quiver.server.auth.Users;
import dev.quiver.server.catalog.Catalog;
import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.cluster.PeerDiscovery;
import dev.quiver.server.config.QuiverConfig;
import dev.quiver.server.metrics.NodeMetrics;
import dev.quiver.server.query.FragmentWorker;
import dev.quiver.server.query.StageScheduler;
import dev.quiver.server.sql.PlanningLimits;
import dev.quiver.server.tls.ClientCertificate;
import dev.quiver.server.tls.ClientCertificates;
import dev.quiver.server.tls.PeerTls;
import dev.quiver.server.tls.ReloadingKeyManager;
import dev.quiver.server.tracing.NodeTracing;
import dev.quiver.shuffle.objectstore.ObjectStore;
import dev.quiver.shuffle.objectstore.ObjectStoreException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.micronaut.context.annotation.Context;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.arrow.flight.FlightClientMiddleware;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.FlightServerMiddleware;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running Flight server of a node, with the standard gRPC health service on the same port.
 *
 * <p>Starts when the application context starts and reports SERVING once the catalog is loaded. On
 * shutdown it reports NOT_SERVING, stops accepting calls, lets in-flight streams finish for the
 * configured grace period, stops the rest, and closes the server; the root allocator is closed
 * after this bean by its factory.
 */
@Context
public class FlightNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FlightNode.class);
  private static final String FLIGHT_SERVICE = "arrow.flight.protocol.FlightService";

  private final QuiverConfig config;
  private final Catalog catalog;
  private final BufferAllocator root;
  private final HealthStatusManager health = new HealthStatusManager();
  private volatile boolean serving;
  private final Cluster cluster;
  private final PeerTls peerTls;
  private QuiverFlightProducer producer;
  private BufferAllocator objectsAllocator;
  private ObjectStore objects;
  private ScheduledExecutorService sweeper;
  private final NodeMetrics metrics = new NodeMetrics();
  private int metricsPort = -1;
  private PeerDiscovery discovery;
  private volatile NodeTracing tracing = NodeTracing.off();
  private FlightServer server;
  private boolean closed;

  public FlightNode(QuiverConfig config, Catalog catalog, BufferAllocator root) {
    this.config = requireNonNull(config, "config is null");
    this.catalog = requireNonNull(catalog, "catalog is null");
    this.root = requireNonNull(root, "root is null");
    this.peerTls =
        config.isMutualTls()
            ? new PeerTls(
                Path.of(config.getTlsCertChain()),
                Path.of(config.getTlsPrivateKey()),
                Path.of(config.getTlsTrustedCertificates()))
            : null;
    this.cluster =
        new Cluster(
            peers(config),
            root,
            peerTls != null
                ? peerTls::client
                : Cluster.Connector.of(
                    config.getTlsTrustedCertificates() == null
                            || config.getTlsTrustedCertificates().isBlank()
                        ? Tls.SYSTEM
                        : Tls.trusting(Path.of(config.getTlsTrustedCertificates()))),
            peerMiddleware(config));
  }

  /**
   * A node that authenticates nobody listens on loopback unless told otherwise: anyone who reaches
   * the port would read every dataset.
   *
   * @throws IllegalArgumentException for another interface without authentication and without
   *     {@code quiver.allow-unauthenticated}
   */
  private static void checkExposure(QuiverConfig config) {
    if (config.isAuth()) {
      return;
    }
    if (!config.isHostConfigured()) {
      LOG.info(
          "No authentication is configured: listening on 127.0.0.1 only. To serve other machines"
              + " configure quiver.auth-users-file or quiver.auth-jwks and quiver.host, or on a"
              + " trusted network --host 0.0.0.0 --allow-unauthenticated");
      return;
    }
    boolean loopback;
    try {
      loopback = java.net.InetAddress.getByName(config.getHost()).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(
          "quiver.host " + config.getHost() + " does not resolve", e);
    }
    if (!loopback && !config.isAllowUnauthenticated()) {
      throw new IllegalArgumentException(
          "quiver.host "
              + config.getHost()
              + " without authentication: anyone who reaches the port could read every dataset."
              + " Configure quiver.auth-users-file or quiver.auth-jwks, or set"
              + " quiver.allow-unauthenticated=true (--allow-unauthenticated) on a trusted network");
    }
    if (!loopback) {
      LOG.warn(
          "Listening on {} without authentication (quiver.allow-unauthenticated): anyone who"
              + " reaches the port reads every dataset",
          config.getHost());
    }
  }

  /** A server TLS context presenting the configured certificate, reloaded when its files change. */
  private static SslContext serverTls(QuiverConfig config) {
    ReloadingKeyManager keys =
        new ReloadingKeyManager(
            Path.of(config.getTlsCertChain()), Path.of(config.getTlsPrivateKey()));
    try {
      return GrpcSslContexts.configure(SslContextBuilder.forServer(keys)).build();
    } catch (javax.net.ssl.SSLException e) {
      throw new IllegalArgumentException("Cannot set up TLS: " + e.getMessage(), e);
    }
  }

  /** What every call to a peer carries: the cluster secret, and the trace when tracing. */
  private FlightClientMiddleware.Factory[] peerMiddleware(QuiverConfig config) {
    FlightClientMiddleware.Factory[] credentials = peerCredentials(config);
    if (config.getOtlpEndpoint() == null || config.getOtlpEndpoint().isBlank()) {
      return credentials;
    }
    FlightClientMiddleware.Factory[] all =
        java.util.Arrays.copyOf(credentials, credentials.length + 1);
    all[credentials.length] = info -> tracing.clientMiddleware().onCallStarted(info);
    return all;
  }

  /**
   * What the node sends its peers: the cluster secret, when it has one (with mutual TLS, peers need
   * their certificate as well).
   */
  private static FlightClientMiddleware.Factory[] peerCredentials(QuiverConfig config) {
    String secret = config.getAuthClusterSecret();
    if (secret == null || secret.isBlank()) {
      if (config.isAuth() && (!config.getPeers().isEmpty() || config.getPeersDns() != null)) {
        throw new IllegalArgumentException(
            "Authentication is configured and the node has peers: set quiver.auth-cluster-secret"
                + " (the same on every node), which signs the tickets any node may be handed");
      }
      return new FlightClientMiddleware.Factory[0];
    }
    // Peers send the secret as a bearer token on every call.
    return new FlightClientMiddleware.Factory[] {new BearerToken(secret).middleware()};
  }

  /** The configured peers; a node that serves TLS calls its peers over TLS too. */
  private static List<Location> peers(QuiverConfig config) {
    List<Location> peers = Cluster.parse(config.getPeers());
    if (!config.isTls()) {
      return peers;
    }
    return peers.stream()
        .map(p -> Location.forGrpcTls(p.getUri().getHost(), p.getUri().getPort()))
        .toList();
  }

  @PostConstruct
  void start() {
    health.setStatus("", ServingStatus.NOT_SERVING);
    if (config.isShm()) {
      objectsAllocator = root.newChildAllocator("shared-objects", 0, Long.MAX_VALUE);
      try {
        objects =
            new ObjectStore(
                Path.of(config.getShmDirectory()),
                config.getShmCapacity(),
                config.getShmTtl(),
                objectsAllocator);
      } catch (ObjectStoreException e) {
        // A node without shared memory still serves everything over Flight.
        LOG.warn(
            "No shared-memory object store ({}); set quiver.shm-directory to a writable"
                + " directory, or quiver.shm=false",
            e.getMessage());
        objectsAllocator.close();
        objectsAllocator = null;
      }
    }
    if (objects != null) {
      sweeper =
          Executors.newSingleThreadScheduledExecutor(
              runnable -> {
                Thread thread = new Thread(runnable, "quiver-shm-sweeper");
                thread.setDaemon(true);
                return thread;
              });
      sweeper.scheduleWithFixedDelay(objects::sweep, 10, 10, TimeUnit.SECONDS);
    }
    producer =
        new QuiverFlightProducer(
            catalog,
            root,
            new QuiverFlightProducer.Limits(
                config.getStreamMemoryLimit(),
                new ScanRequest(
                    List.of(), Constant.TRUE, config.getBatchRows(), config.getBatchBytes()),
                config.getSplitBytes(),
                config.getClientTimeout(),
                config.getConcurrentScans(),
                new PlanningLimits(
                    config.getMaxSqlBytes(),
                    config.getPlanningTimeout(),
                    config.getMaxExpressionDepth(),
                    config.getMaxExpressionNodes()),
                config.getMaxStreamsPerUser()),
            () -> serving,
            cluster,
            new FragmentWorker.Settings(
                config.getQueryMemoryLimit(),
                config.getFragmentTtl(),
                new ScanRequest(
                    List.of(), Constant.TRUE, config.getBatchRows(), config.getBatchBytes()),
                config.getBatchRows(),
                config.getPeerTimeout(),
                config.getScanThreads(),
                config.getSplitBytes(),
                config.isSpill() ? Path.of(config.getSpillDirectory()) : null,
                config.isDescriptorExchange(),
                config.getAdmissionTimeout(),
                config.getHeapLimit()),
            new StageScheduler.Settings(
                config.getGatherThreshold(),
                config.getSplitBytes(),
                Set.copyOf(config.getSharedDatasets())),
            objects,
            new InternalCalls(
                config.isAuth(),
                config.isAuth()
                    ? new TicketSigner(config.getAuthClusterSecret(), config.getTicketTtl())
                    : null,
                peerTls != null));
    // TLS through a context of our own, whose key manager reads the certificate files again when
    // they change; Flight is then given the plain scheme, so that it does not set up TLS itself.
    SslContext tls = peerTls != null ? peerTls.server() : config.isTls() ? serverTls(config) : null;
    Consumer<NettyServerBuilder> configure =
        netty -> {
          netty.addService(health.getHealthService());
          if (tls != null) {
            netty.sslContext(tls);
          }
          if (peerTls != null) {
            netty.intercept(new ClientCertificates());
          }
        };
    checkExposure(config);
    FlightServer.Builder builder =
        FlightServer.builder(
                root, Location.forGrpcInsecure(config.getHost(), config.getPort()), producer)
            .transportHint("grpc.builderConsumer", configure)
            .maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, config.getMaxMessageBytes()));
    if (config.isAuth()) {
      Users users =
          config.getAuthUsersFile() == null || config.getAuthUsersFile().isBlank()
              ? Users.none()
              : Users.read(Path.of(config.getAuthUsersFile()));
      JwtVerifier jwt = null;
      if (config.isJwt()) {
        if (config.getAuthJwtIssuer() == null || config.getAuthJwtIssuer().isBlank()) {
          throw new IllegalArgumentException(
              "quiver.auth-jwks is set without quiver.auth-jwt-issuer: set the issuer whose"
                  + " tokens the node accepts");
        }
        jwt =
            new JwtVerifier(
                config.getAuthJwks(),
                config.getAuthJwtIssuer(),
                config.getAuthJwtAudience(),
                config.getAuthJwtUserClaim(),
                config.getAuthJwtRolesClaim());
      }
      builder.headerAuthenticator(
          new NodeAuthenticator(users, config.getAuthClusterSecret(), jwt, catalog.access()));
      LOG.info(
          "Authenticating callers: {} user(s) from {}{}",
          users.names().size(),
          config.getAuthUsersFile(),
          jwt == null
              ? ""
              : ", JWTs of " + config.getAuthJwtIssuer() + " (keys " + config.getAuthJwks() + ")");
    }
    if (peerTls != null) {
      builder.middleware(ClientCertificate.KEY, ClientCertificate.FACTORY);
    }
    builder.middleware(FlightServerMiddleware.Key.of("quiver-metrics"), metrics.calls());
    if (config.getOtlpEndpoint() != null && !config.getOtlpEndpoint().isBlank()) {
      // Bound once the node knows its address (its spans' service.instance.id); until then calls
      // are not traced.
      builder.middleware(
          NodeTracing.CALL_SPAN,
          (info, headers, request) ->
              tracing.serverMiddleware().onCallStarted(info, headers, request));
    }
    server = builder.build();
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot start the Flight server on " + config.getHost() + ":" + config.getPort(), e);
    }
    cluster.bind(advertised());
    if (config.getOtlpEndpoint() != null && !config.getOtlpEndpoint().isBlank()) {
      tracing =
          NodeTracing.otlp(
              config.getOtlpEndpoint(),
              config.getOtlpServiceName(),
              cluster.self().getUri().toString(),
              config.getOtlpExportDelay());
      LOG.info("Tracing Flight calls to {}", config.getOtlpEndpoint());
    }
    if (config.getPeersDns() != null && !config.getPeersDns().isBlank()) {
      discovery =
          new PeerDiscovery(
              cluster, config.getPeersDns(), config.getPeersDnsInterval(), peers(config));
    }
    registerMeters();
    if (config.getMetricsPort() >= 0) {
      try {
        metricsPort = metrics.serve(config.getHost(), config.getMetricsPort());
      } catch (UncheckedIOException e) {
        // The node serves data without its scrape endpoint rather than not at all.
        LOG.warn("No metrics endpoint: {} ({})", e.getMessage(), e.getCause().getMessage());
      }
    }
    serving = true;
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(FLIGHT_SERVICE, ServingStatus.SERVING);
    LOG.info(
        "Quiver node serving {} dataset(s) {} at grpc://{}:{}, advertised as {}, peers {}",
        catalog.names().size(),
        catalog.names(),
        config.getHost(),
        server.getPort(),
        cluster.self().getUri(),
        cluster.peers().stream().map(p -> p.getUri().toString()).toList());
  }

  /**
   * The address this node gives peers and clients: {@code quiver.advertise}, or else the bound host
   * (this machine's name when listening on all interfaces) and port.
   */
  private Location advertised() {
    if (config.getAdvertise() != null && !config.getAdvertise().isBlank()) {
      return Cluster.parse(List.of(config.getAdvertise())).get(0);
    }
    String host = config.getHost();
    if (host.equals("0.0.0.0") || host.equals("::")) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        host = "127.0.0.1";
      }
    }
    return location(host, server.getPort());
  }

  /** This node and its peers. */
  public Cluster cluster() {
    return cluster;
  }

  /** The node's SQL planner. */
  public dev.quiver.server.sql.QueryPlanner planner() {
    return producer.planner();
  }

  /** Query fragments this node holds right now (distributed queries running through it). */
  public int activeFragments() {
    return producer.worker().activeFragments();
  }

  private void registerMeters() {
    FragmentWorker worker = producer.worker();
    worker.observe(
        new FragmentWorker.Observer() {
          @Override
          public void scanned(ScanStatistics scan) {
            metrics.scanned(scan);
          }

          @Override
          public void shuffled(long streamedBytes, long descriptorBytes) {
            metrics.shuffled(streamedBytes, descriptorBytes);
          }

          @Override
          public void queryFreed(long peakBytes) {
            metrics.queryMemoryPeak(peakBytes);
          }
        });
    metrics.gauge("quiver.streams.active", "Flight streams being served", producer::activeStreams);
    metrics.counter(
        "quiver.plans.stopped",
        "Plans stopped early because their caller timed out or went away",
        producer.planner()::plansStopped);
    metrics.gauge(
        "quiver.queries.active",
        "Distributed queries holding state on this node",
        worker::activeFragments);
    metrics.gauge(
        "quiver.memory.allocated.bytes",
        "Arrow memory allocated by the node (root allocator)",
        root::getAllocatedMemory);
    metrics.gauge(
        "quiver.memory.heap.reserved.bytes",
        "Heap bytes the node's queries reserve for their hash tables (quiver.heap-limit)",
        worker::reservedHeapBytes);
    metrics.gauge(
        "quiver.memory.peak.bytes",
        "Most Arrow memory the node held at once",
        root::getPeakMemoryAllocation);
    metrics.gauge("quiver.memory.limit.bytes", "The root allocator's limit", root::getLimit);
    metrics.gauge(
        "quiver.spill.bytes.written", "Bytes spilled to disk since start", worker::spilledBytes);
    metrics.gauge("quiver.spill.files", "Spill files on disk now", worker::spillFiles);
    if (objects != null) {
      metrics.gauge("quiver.shm.bytes", "Bytes in the shared-memory object store", objects::bytes);
      metrics.gauge("quiver.shm.objects", "Objects in the shared-memory store", objects::count);
    }
  }

  /** The port Prometheus scrapes, or -1 when the node serves none. */
  public int metricsPort() {
    return metricsPort;
  }

  /** Spill files on this node's disk right now (aggregations that outgrew their memory). */
  public int spillFiles() {
    return producer.worker().spillFiles();
  }

  /** Compressed bytes this node's aggregations spilled since it started. */
  /** Heap bytes the node's queries reserve for their hash tables now. */
  public long reservedHeapBytes() {
    return producer.worker().reservedHeapBytes();
  }

  public long spilledBytes() {
    return producer.worker().spilledBytes();
  }

  /** The port the server is bound to (the chosen one when configured with port 0). */
  public int port() {
    return server.getPort();
  }

  /** Where a client on this machine reaches the node. */
  public Location localLocation() {
    return location("127.0.0.1", port());
  }

  /** {@code grpc+tls://} when the node serves TLS, else {@code grpc://}. */
  private Location location(String host, int port) {
    return config.isTls() ? Location.forGrpcTls(host, port) : Location.forGrpcInsecure(host, port);
  }

  /** Streams being served right now. */
  public int activeStreams() {
    return producer.activeStreams();
  }

  @PreDestroy
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    serving = false;
    health.enterTerminalState();
    Duration grace = config.getShutdownGrace();
    LOG.info("Quiver node stopping: draining streams for up to {}", grace);
    server.shutdown();
    try {
      if (!server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn(
            "{} stream(s) still running after {}; stopping them", producer.activeStreams(), grace);
      }
      producer.stopStreams(Duration.ofSeconds(5));
      server.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (discovery != null) {
      discovery.close();
    }
    producer.close();
    // The server is closed: gRPC has freed what it held of streams that ended.
    dev.quiver.shuffle.exchange.Allocators.closeReleased(root, Duration.ofSeconds(5));
    cluster.close();
    if (objects != null) {
      sweeper.shutdownNow();
      objects.close();
      objectsAllocator.close();
    }
    metrics.close();
    tracing.close();
    LOG.info("Quiver node stopped");
  }
}
