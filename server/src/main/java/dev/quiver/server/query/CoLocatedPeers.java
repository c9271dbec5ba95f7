package dev.quiver.server.query;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.server.cluster.Cluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Result;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which peers run on this node's host, with a shared-memory store this node can read: a peer is
 * co-located when this node can read the nonce file its {@code shm-info} names. The answer is kept
 * per peer address for the life of the node (a peer that moves hosts comes back at another address
 * in a cluster of pods). A restarted peer has a new store and nonce: it refuses the first partition
 * sent with the old one unread ({@link FragmentProtocol.ObjectPartitionReply#notThisStore()}), the
 * sender streams that partition instead and {@link #forget}s the peer, which is checked again
 * before its next partition.
 */
final class CoLocatedPeers {
  private static final Logger LOG = LoggerFactory.getLogger(CoLocatedPeers.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Cluster cluster;
  private final long timeoutMillis;
  private final Map<Location, Optional<String>> nonces = new ConcurrentHashMap<>();

  CoLocatedPeers(Cluster cluster, long timeoutMillis) {
    this.cluster = requireNonNull(cluster, "cluster is null");
    this.timeoutMillis = timeoutMillis;
  }

  /** The peer's store nonce, read from its file here, if the peer shares this host's store. */
  Optional<String> nonce(Location peer) {
    Optional<String> known = nonces.get(peer);
    if (known != null) {
      return known;
    }
    Optional<String> found = probe(peer);
    if (found != null) {
      nonces.put(peer, found);
      return found;
    }
    return Optional.empty(); // the peer did not answer: stream this time, ask again next time
  }

  /** Forgets what was found about {@code peer}, so the next partition asks again. */
  void forget(Location peer) {
    nonces.remove(peer);
  }

  /**
   * The peer's nonce if this node can read its nonce file; empty if it cannot (another host, no
   * store there); null if the peer did not answer, which says nothing yet.
   */
  private Optional<String> probe(Location peer) {
    try {
      Iterator<Result> results =
          cluster
              .client(peer)
              .doAction(
                  new Action("shm-info"),
                  CallOptions.timeout(timeoutMillis, TimeUnit.MILLISECONDS));
      if (!results.hasNext()) {
        return Optional.empty();
      }
      JsonNode info = JSON.readTree(results.next().getBody());
      results.forEachRemaining(r -> {});
      String nonce = Files.readString(Path.of(info.path("nonceFile").asText()));
      LOG.info("Peer {} shares this host: partitions for it go by descriptor", peer.getUri());
      return Optional.of(nonce);
    } catch (FlightRuntimeException e) {
      return e.status().code() == FlightStatusCode.UNIMPLEMENTED
          ? Optional.empty() // no object store there: partitions go as streams
          : null;
    } catch (IOException | InvalidPathException e) {
      return Optional.empty(); // another host: partitions go as streams
    }
  }
}
