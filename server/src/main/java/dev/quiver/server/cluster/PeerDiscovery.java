package dev.quiver.server.cluster;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.Location;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the cluster's peers equal to the addresses a DNS name resolves to (a Kubernetes headless
 * Service's records: one per pod), re-resolved every interval, plus any statically configured
 * peers. Each address becomes a peer on this node's own port and scheme, named by its reverse
 * lookup (a headless Service's pods resolve back to their stable names, which their TLS
 * certificates carry); this node's own addresses are left out. A node joining or leaving is picked
 * up by the next resolution (and the JVM's DNS cache, 30 s by default); queries already running
 * keep the members they started with.
 *
 * <p>When the name does not resolve (no pod ready yet, DNS down), the peers stay as they were.
 */
public final class PeerDiscovery implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PeerDiscovery.class);

  private final Cluster cluster;
  private final String name;
  private final List<Location> staticPeers;
  private final ScheduledExecutorService resolver;
  private volatile List<Location> discovered = List.of();
  private volatile boolean failing;

  /**
   * Resolves {@code name} now and then every {@code interval}.
   *
   * @param cluster a cluster already bound to its own address
   * @param staticPeers peers to keep whatever DNS says
   */
  public PeerDiscovery(
      Cluster cluster, String name, Duration interval, List<Location> staticPeers) {
    this.cluster = requireNonNull(cluster, "cluster is null");
    this.name = requireNonNull(name, "name is null");
    this.staticPeers = List.copyOf(staticPeers);
    this.resolver =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "quiver-peer-discovery");
              thread.setDaemon(true);
              return thread;
            });
    refresh();
    long millis = Math.max(1, interval.toMillis());
    resolver.scheduleWithFixedDelay(this::refresh, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Resolves the name once and updates the cluster's peers if they changed. */
  public void refresh() {
    List<Location> found;
    try {
      found = resolve();
      if (failing) {
        LOG.info("Peer discovery: {} resolves again", name);
        failing = false;
      }
    } catch (UnknownHostException e) {
      if (!failing) {
        LOG.warn("Peer discovery: {} does not resolve; keeping peers {}", name, uris(discovered));
        failing = true;
      }
      return;
    } catch (RuntimeException e) {
      LOG.warn("Peer discovery: resolving {} failed; keeping peers {}", name, uris(discovered), e);
      return;
    }
    if (!found.equals(discovered)) {
      LOG.info("Peer discovery: {} lists {} (was {})", name, uris(found), uris(discovered));
      discovered = found;
      Set<Location> peers = new LinkedHashSet<>(staticPeers);
      peers.addAll(found);
      cluster.setPeers(new ArrayList<>(peers));
    }
  }

  private static List<String> uris(List<Location> locations) {
    return locations.stream().map(l -> l.getUri().toString()).toList();
  }

  /** The peers DNS gave at the last resolution that succeeded. */
  public List<Location> discovered() {
    return discovered;
  }

  private List<Location> resolve() throws UnknownHostException {
    Location self = cluster.self();
    int port = self.getUri().getPort();
    boolean tls = "grpc+tls".equals(self.getUri().getScheme());
    Set<InetAddress> own = new LinkedHashSet<>();
    try {
      own.addAll(List.of(InetAddress.getAllByName(self.getUri().getHost())));
    } catch (UnknownHostException e) {
      // This node's advertised name does not resolve here: only its name marks it as itself.
    }
    List<Location> found = new ArrayList<>();
    for (InetAddress address : InetAddress.getAllByName(name)) {
      if (own.contains(address)) {
        continue;
      }
      String host = address.getCanonicalHostName();
      Location peer = tls ? Location.forGrpcTls(host, port) : Location.forGrpcInsecure(host, port);
      if (!found.contains(peer)) {
        found.add(peer);
      }
    }
    found.sort(java.util.Comparator.comparing(l -> l.getUri().toString()));
    return found;
  }

  @Override
  public void close() {
    resolver.shutdownNow();
  }
}
