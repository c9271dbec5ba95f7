package dev.quiver.server.flight;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.cluster.Placement;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.query.PeerCalls;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Location;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster-wide view of a dataset or scan query that a coordinator answers {@code ListFlights}
 * and {@code GetFlightInfo} with: the endpoints of every node that holds the data, each with that
 * node's location, so a client reads the peers directly and in parallel.
 *
 * <p>Peer-local datasets: each peer plans its own part (the {@value #LOCAL_INFO} action) and its
 * endpoints are added with its location; records and bytes are totals. Shared datasets: the
 * coordinator's own endpoints are dealt out round-robin over the nodes, since every node can read
 * every split.
 */
final class ClusterFlights {
  /** Internal action: this node's own FlightInfo of a dataset or scan query, serialized. */
  static final String LOCAL_INFO = "local-flight-info";

  private static final Logger LOG = LoggerFactory.getLogger(ClusterFlights.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Cluster cluster;
  private final Set<String> sharedDatasets;
  private final Duration timeout;

  /** What to describe: a dataset by name, or a scan query by its text. */
  record LocalInfoRequest(String dataset, String sql) {}

  ClusterFlights(Cluster cluster, Set<String> sharedDatasets, Duration timeout) {
    this.cluster = cluster;
    this.sharedDatasets = Set.copyOf(sharedDatasets);
    this.timeout = timeout;
  }

  /** Extends this node's {@code local} FlightInfo to the cluster. */
  FlightInfo clusterWide(FlightInfo local, Dataset dataset, LocalInfoRequest request) {
    List<Location> members = cluster.members();
    if (members.size() == 1) {
      return local;
    }
    List<FlightEndpoint> endpoints = new ArrayList<>();
    long records = local.getRecords();
    long bytes = local.getBytes();
    ObjectNode metadata = metadata(local.getAppMetadata());
    ArrayNode missing = JSON.createArrayNode();
    if (Placement.of(dataset.location(), sharedDatasets.contains(dataset.name()))
        == Placement.SHARED) {
      // Any node can serve any split of shared data: deal them over the nodes that answer.
      List<Location> reachable = cluster.reachableMembers(Duration.ofSeconds(2));
      List<FlightEndpoint> own = local.getEndpoints();
      members = reachable;
      for (int e = 0; e < own.size(); e++) {
        endpoints.add(located(own.get(e), members.get(e % members.size())));
      }
    } else {
      local.getEndpoints().forEach(e -> endpoints.add(located(e, cluster.self())));
      for (Location peer : cluster.peers()) {
        FlightInfo remote;
        try {
          remote = peerInfo(peer, request);
        } catch (QuiverException e) {
          if (e.code() != ErrorCode.UNAVAILABLE || request.sql() != null) {
            throw e; // a query's answer would lack the node's rows: it fails, naming the node
          }
          // A listing answers from the nodes that respond, and says which did not.
          LOG.warn(
              "Dataset '{}' listed without node {}: {}",
              dataset.name(),
              peer.getUri(),
              e.getMessage());
          missing.add(peer.getUri().toString());
          continue;
        }
        if (remote == null) {
          continue;
        }
        remote.getEndpoints().forEach(e -> endpoints.add(located(e, peer)));
        records = records < 0 || remote.getRecords() < 0 ? -1 : records + remote.getRecords();
        bytes = bytes < 0 || remote.getBytes() < 0 ? -1 : bytes + remote.getBytes();
        add(metadata, metadata(remote.getAppMetadata()));
      }
    }
    try {
      if (!missing.isEmpty()) {
        metadata.set("missingNodes", missing); // the totals cover the nodes that answered
      }
      return new FlightInfo(
          local.getSchema(),
          local.getDescriptor(),
          endpoints,
          bytes,
          records,
          // One ordered endpoint stays ordered wherever it is served.
          local.getOrdered() && endpoints.size() == 1,
          IpcOption.DEFAULT,
          JSON.writeValueAsBytes(metadata));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A peer's own FlightInfo, or null when it does not serve the dataset. */
  private FlightInfo peerInfo(Location peer, LocalInfoRequest request) {
    try {
      byte[] serialized = PeerCalls.actionBytes(cluster, peer, LOCAL_INFO, request, timeout);
      return FlightInfo.deserialize(ByteBuffer.wrap(serialized));
    } catch (QuiverException e) {
      if (e.code() == ErrorCode.NOT_FOUND
          || (e.code() == ErrorCode.INVALID_ARGUMENT
              && e.getMessage().startsWith("Unknown dataset"))) {
        return null;
      }
      throw e;
    } catch (IOException | URISyntaxException e) {
      throw new QuiverException(
          ErrorCode.INTERNAL, "Peer " + peer.getUri() + " sent an unreadable FlightInfo: " + e);
    }
  }

  private static FlightEndpoint located(FlightEndpoint endpoint, Location location) {
    return new FlightEndpoint(endpoint.getTicket(), location);
  }

  private static ObjectNode metadata(byte[] json) {
    try {
      if (json != null && json.length > 0 && JSON.readTree(json) instanceof ObjectNode object) {
        return object;
      }
    } catch (IOException e) {
      // Not ours: start empty.
    }
    return JSON.createObjectNode();
  }

  /** Adds the numeric fields of {@code more} into {@code into}. */
  private static void add(ObjectNode into, ObjectNode more) {
    for (Iterator<Map.Entry<String, JsonNode>> it = more.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getValue().isIntegralNumber()) {
        into.put(field.getKey(), into.path(field.getKey()).asLong(0) + field.getValue().asLong());
      }
    }
  }
}
