package dev.quiver.server.cluster;

import static java.util.Objects.requireNonNull;

import dev.quiver.client.Tls;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightClientMiddleware;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Result;
import org.apache.arrow.memory.BufferAllocator;

/**
 * This node and its peers. The node that receives a query coordinates it over {@link #members()}:
 * itself and every peer. Flight clients to peers are made on first use and kept until close.
 *
 * <p>The peer list may contain this node's own address (as a Kubernetes headless service lists
 * every pod); it is dropped, so every node can be given the same list.
 */
public final class Cluster implements AutoCloseable {
  private volatile Location self;
  private volatile List<Location> configuredPeers;
  private volatile List<Location> peers = List.of();

  /**
   * Every peer this node was ever told of by its configuration or its membership (DNS), never by a
   * client: the only addresses {@link #client} connects to. A peer that left stays here so that a
   * query started with it can finish talking to it.
   */
  private final Map<String, Location> known = new ConcurrentHashMap<>();

  private final BufferAllocator allocator;
  private final Map<Location, FlightClient> clients = new ConcurrentHashMap<>();
  private final Connector connector;
  private final FlightClientMiddleware.Factory[] credentials;

  /** How a node opens its client of a peer. */
  @FunctionalInterface
  public interface Connector {
    /**
     * A client of {@code peer} reading into a child of {@code allocator}, whose calls carry {@code
     * middleware}; the caller closes it.
     */
    FlightClient connect(
        BufferAllocator allocator, Location peer, List<FlightClientMiddleware.Factory> middleware);

    /** Clients checking peers' certificates, if they serve TLS, as {@code tls} says. */
    static Connector of(Tls tls) {
      return (allocator, peer, middleware) ->
          tls.client(allocator, peer, middleware.toArray(new FlightClientMiddleware.Factory[0]));
    }
  }

  /**
   * A cluster whose own address is set by {@link #bind} once the node listens.
   *
   * @param peers the other nodes; this node's own address is ignored if listed
   * @param allocator the parent of the allocator the peer clients read with
   * @param connector opens the clients of peers (checking their certificates over TLS)
   * @param credentials added to every call to a peer (e.g. the cluster secret)
   */
  public Cluster(
      List<Location> peers,
      BufferAllocator allocator,
      Connector connector,
      FlightClientMiddleware.Factory... credentials) {
    this.connector = requireNonNull(connector, "connector is null");
    this.credentials = credentials.clone();
    this.configuredPeers = List.copyOf(peers);
    this.allocator = allocator.newChildAllocator("peer-clients", 0, Long.MAX_VALUE);
  }

  /** Sets the address peers reach this node at, known once the server is bound. */
  public void bind(Location advertised) {
    this.self = requireNonNull(advertised, "advertised is null");
    setPeers(configuredPeers);
  }

  /**
   * Replaces the peer list, e.g. when the cluster is scaled; queries already running keep the
   * members they started with.
   */
  public void setPeers(List<Location> newPeers) {
    configuredPeers = List.copyOf(newPeers);
    if (self == null) {
      return;
    }
    List<Location> others = new ArrayList<>();
    for (Location peer : newPeers) {
      if (!sameNode(peer, self) && others.stream().noneMatch(p -> sameNode(p, peer))) {
        others.add(peer);
      }
    }
    peers = List.copyOf(others);
    for (Location peer : others) {
      known.putIfAbsent(key(peer), peer);
    }
  }

  /**
   * Parses {@code grpc://host:port} (or {@code grpc+tls://host:port}) addresses, naming the bad
   * one.
   */
  public static List<Location> parse(List<String> addresses) {
    List<Location> locations = new ArrayList<>();
    for (String address : addresses) {
      String trimmed = address.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      try {
        URI uri = URI.create(trimmed.contains("://") ? trimmed : "grpc://" + trimmed);
        if (uri.getHost() == null || uri.getPort() < 0) {
          throw new IllegalArgumentException("needs a host and a port");
        }
        locations.add(
            "grpc+tls".equals(uri.getScheme())
                ? Location.forGrpcTls(uri.getHost(), uri.getPort())
                : Location.forGrpcInsecure(uri.getHost(), uri.getPort()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "Peer address '" + address + "' is not grpc://host:port: " + e.getMessage(), e);
      }
    }
    return locations;
  }

  /** The address peers and clients reach this node at. */
  public Location self() {
    if (self == null) {
      throw new IllegalStateException("The node is not listening yet");
    }
    return self;
  }

  /** The other nodes. */
  public List<Location> peers() {
    return peers;
  }

  /** Every node of the cluster, this one first. */
  public List<Location> members() {
    List<Location> members = new ArrayList<>();
    members.add(self());
    members.addAll(peers);
    return members;
  }

  /**
   * This node and the peers that answer a health call within {@code timeout}, asked in parallel:
   * the nodes a query over shared storage can use when some are down.
   */
  public List<Location> reachableMembers(Duration timeout) {
    List<CompletableFuture<Boolean>> answers = new ArrayList<>();
    for (Location peer : peers) {
      answers.add(CompletableFuture.supplyAsync(() -> answers(peer, timeout), PROBES));
    }
    List<Location> reachable = new ArrayList<>();
    reachable.add(self());
    for (int p = 0; p < peers.size(); p++) {
      if (answers.get(p).join()) {
        reachable.add(peers.get(p));
      }
    }
    return reachable;
  }

  private static final ExecutorService PROBES =
      Executors.newCachedThreadPool(
          runnable -> {
            Thread thread = new Thread(runnable, "quiver-peer-probe");
            thread.setDaemon(true);
            return thread;
          });

  private boolean answers(Location peer, Duration timeout) {
    try {
      Iterator<Result> results =
          client(peer)
              .doAction(
                  new Action("health"),
                  CallOptions.timeout(timeout.toMillis(), TimeUnit.MILLISECONDS));
      while (results.hasNext()) {
        results.next();
      }
      return true;
    } catch (FlightRuntimeException e) {
      return false;
    }
  }

  public boolean isSelf(Location location) {
    return sameNode(location, self());
  }

  /**
   * The client for {@code peer}, created on first use. Its calls carry the cluster's credentials,
   * so it is made only for a node this node was told of: {@code peer} is looked up among them by
   * host and port, and the client connects with that node's configured address, whatever scheme
   * {@code peer} names.
   *
   * @throws QuiverException PERMISSION_DENIED naming the address when it is not one of this node's
   *     peers (an address taken from a client's message: a node never calls it)
   */
  public FlightClient client(Location peer) {
    Location member = member(peer);
    if (member == null) {
      throw new QuiverException(
          ErrorCode.PERMISSION_DENIED,
          "Cannot call "
              + peer.getUri()
              + ": it is not a node of this cluster, and a node calls only its peers");
    }
    return clients.computeIfAbsent(
        member, p -> connector.connect(allocator, p, List.of(credentials)));
  }

  /** Whether {@code location} is this node or one of the peers it was ever told of. */
  public boolean isMember(Location location) {
    return member(location) != null;
  }

  /**
   * The node {@code location} names, as this node knows it: by host and port, or else by the
   * addresses the host resolves to (a peer may know a node by another name for the same host); null
   * for an address outside the cluster.
   */
  private Location member(Location location) {
    if (self != null && isSelf(location)) {
      return self;
    }
    Location known = this.known.get(key(location));
    if (known != null) {
      return known;
    }
    java.util.Set<java.net.InetAddress> addresses = addresses(location);
    if (addresses.isEmpty()) {
      return null;
    }
    List<Location> candidates = new ArrayList<>(this.known.values());
    if (self != null) {
      candidates.add(0, self);
    }
    for (Location candidate : candidates) {
      if (candidate.getUri().getPort() == location.getUri().getPort()
          && addresses(candidate).stream().anyMatch(addresses::contains)) {
        return candidate;
      }
    }
    return null;
  }

  private static java.util.Set<java.net.InetAddress> addresses(Location location) {
    String host = location.getUri().getHost();
    if (host == null) {
      return java.util.Set.of();
    }
    try {
      return new java.util.HashSet<>(
          java.util.Arrays.asList(java.net.InetAddress.getAllByName(host)));
    } catch (java.net.UnknownHostException | SecurityException e) {
      return java.util.Set.of();
    }
  }

  private static String key(Location location) {
    URI uri = location.getUri();
    return (uri.getHost() == null ? "" : uri.getHost().toLowerCase(java.util.Locale.ROOT))
        + ":"
        + uri.getPort();
  }

  private static boolean sameNode(Location a, Location b) {
    return key(a).equals(key(b));
  }

  @Override
  public void close() {
    for (FlightClient client : clients.values()) {
      try {
        client.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    clients.clear();
    allocator.close();
  }
}
