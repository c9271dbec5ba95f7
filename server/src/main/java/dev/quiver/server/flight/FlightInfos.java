package dev.quiver.server.flight;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.dataset.DataFile;
import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.parquet.scan.FileSplit;
import dev.quiver.parquet.scan.ScanStatistics;
import dev.quiver.server.catalog.Catalog;
import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.query.FragmentProtocol;
import dev.quiver.server.query.PeerCalls;
import dev.quiver.server.query.StageScheduler;
import dev.quiver.server.sql.Explain;
import dev.quiver.server.sql.Query;
import dev.quiver.server.sql.QueryPlan;
import dev.quiver.server.sql.QueryPlanner;
import dev.quiver.server.ticket.ScanTicket;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Location;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.types.pojo.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plans FlightInfos: of a dataset (one endpoint per split of its files, over the cluster), of a
 * scan query (endpoints on every node holding data; one gathering endpoint with ORDER BY or LIMIT),
 * of an aggregation (one endpoint on this node, the coordinator), and of a query over a dataset
 * this node lacks (planned by a peer that has it).
 */
final class FlightInfos {
  private static final Logger LOG = LoggerFactory.getLogger(FlightInfos.class);

  private final Catalog catalog;
  private final QueryPlanner planner;
  private final Cluster cluster;
  private final ClusterFlights flights;
  private final long splitBytes;
  private final Duration peerTimeout;
  private final StageScheduler sort;

  /**
   * @param splitBytes compressed bytes of row groups per endpoint
   * @param peerTimeout how long a peer may take to plan for this node
   */
  FlightInfos(
      Catalog catalog,
      QueryPlanner planner,
      Cluster cluster,
      ClusterFlights flights,
      long splitBytes,
      Duration peerTimeout,
      StageScheduler sort) {
    this.catalog = requireNonNull(catalog, "catalog is null");
    this.planner = requireNonNull(planner, "planner is null");
    this.cluster = requireNonNull(cluster, "cluster is null");
    this.flights = requireNonNull(flights, "flights is null");
    this.splitBytes = splitBytes;
    this.peerTimeout = requireNonNull(peerTimeout, "peerTimeout is null");
    this.sort = requireNonNull(sort, "sort is null");
  }

  /**
   * A query's FlightInfo: endpoints on every node holding data for a scan, one endpoint on this
   * node (the coordinator) for an aggregation.
   */
  FlightInfo info(String text, FlightDescriptor descriptor) {
    try {
      return infoHere(text, descriptor);
    } catch (QuiverException e) {
      if (isUnknownDataset(e) && !cluster.peers().isEmpty()) {
        return infoFromPeer(text, descriptor, e);
      }
      throw e;
    }
  }

  /**
   * A query over a dataset this node does not serve (its folder is still empty, say) is planned by
   * a peer that does: the FlightInfo's endpoints are on that peer, which coordinates it.
   */
  private FlightInfo infoFromPeer(
      String text, FlightDescriptor descriptor, QuiverException unknown) {
    for (Location peer : cluster.peers()) {
      try {
        byte[] serialized =
            PeerCalls.actionBytes(
                cluster,
                peer,
                NodeActions.FORWARDED_INFO,
                new ClusterFlights.LocalInfoRequest(null, text),
                peerTimeout);
        FlightInfo there = FlightInfo.deserialize(ByteBuffer.wrap(serialized));
        List<FlightEndpoint> endpoints = new ArrayList<>();
        for (FlightEndpoint endpoint : there.getEndpoints()) {
          endpoints.add(
              endpoint.getLocations().isEmpty()
                  ? new FlightEndpoint(endpoint.getTicket(), peer)
                  : endpoint);
        }
        LOG.info("Planned {} on {}, which serves its dataset", abbreviate(text), peer.getUri());
        return new FlightInfo(
            there.getSchema(),
            descriptor,
            endpoints,
            there.getBytes(),
            there.getRecords(),
            false,
            IpcOption.DEFAULT,
            there.getAppMetadata());
      } catch (QuiverException e) {
        if (!isUnknownDataset(e)) {
          throw e;
        }
      } catch (IOException | URISyntaxException e) {
        throw new QuiverException(
            ErrorCode.INTERNAL, "Peer " + peer.getUri() + " sent an unreadable FlightInfo: " + e);
      }
    }
    throw unknown;
  }

  private static boolean isUnknownDataset(QuiverException e) {
    return e.code() == ErrorCode.INVALID_ARGUMENT && e.getMessage().startsWith("Unknown dataset");
  }

  /** A query's FlightInfo as this node plans it, never asking a peer to plan it instead. */
  FlightInfo infoHere(String text, FlightDescriptor descriptor) {
    Query query = planner.plan(text);
    if (query instanceof Explain) {
      return answeredHere(query, descriptor);
    }
    if (query instanceof QueryPlan scan) {
      if (!scan.order().isEmpty() && scan.limit().isEmpty() && !cluster.peers().isEmpty()) {
        return sortedInfo(scan, descriptor);
      }
      FlightInfo wide =
          flights.clusterWide(
              queryInfo(scan, descriptor),
              scan.dataset(),
              new ClusterFlights.LocalInfoRequest(null, scan.sql()));
      boolean ordered = !scan.order().isEmpty();
      if ((ordered || scan.limit().isPresent()) && wide.getEndpoints().size() > 1) {
        return GatheredScan.info(wide, cluster.self());
      }
      return wide;
    }
    // Aggregations and queries over several inputs: answered through this node, the coordinator.
    return answeredHere(query, descriptor);
  }

  /**
   * A sorted query without LIMIT on a cluster: sorted across the nodes now, read from one endpoint
   * per range of sort keys, in order.
   */
  private FlightInfo sortedInfo(QueryPlan scan, FlightDescriptor descriptor) {
    String queryId = UUID.randomUUID().toString();
    List<FlightEndpoint> endpoints = sort.sorted(queryId, scan);
    byte[] metadata =
        ("{\"query\":\"" + queryId + "\",\"resultVia\":\"ranges\"}")
            .getBytes(StandardCharsets.UTF_8);
    return new FlightInfo(
        scan.schema(), descriptor, endpoints, -1, -1, true, IpcOption.DEFAULT, metadata);
  }

  /** A query planned here for a node that does not serve its dataset, serialized. */
  byte[] forwardedInfo(byte[] body) {
    ClusterFlights.LocalInfoRequest request =
        FragmentProtocol.decode(body, ClusterFlights.LocalInfoRequest.class);
    return serialize(
        infoHere(
            request.sql(),
            FlightDescriptor.command(request.sql().getBytes(StandardCharsets.UTF_8))));
  }

  /** A dataset's FlightInfo over the whole cluster. */
  FlightInfo clusterWide(Dataset dataset) {
    return flights.clusterWide(
        flightInfo(dataset), dataset, new ClusterFlights.LocalInfoRequest(dataset.name(), null));
  }

  static byte[] serialize(FlightInfo info) {
    ByteBuffer buffer = info.serialize();
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  /** This node's own FlightInfo of a dataset or scan query, serialized, for a coordinator. */
  byte[] localInfo(byte[] body) {
    ClusterFlights.LocalInfoRequest request =
        FragmentProtocol.decode(body, ClusterFlights.LocalInfoRequest.class);
    FlightInfo info;
    if (request.dataset() != null) {
      info = flightInfo(catalog.require(request.dataset()));
    } else if (planner.plan(request.sql()) instanceof QueryPlan scan) {
      info =
          queryInfo(scan, FlightDescriptor.command(request.sql().getBytes(StandardCharsets.UTF_8)));
    } else {
      throw new QuiverException(ErrorCode.INVALID_ARGUMENT, "Not a scan query: " + request.sql());
    }
    return serialize(info);
  }

  /** One endpoint, on this node, whose ticket plans the query again to answer it. */
  private FlightInfo answeredHere(Query plan, FlightDescriptor descriptor) {
    Location self = cluster.self();
    FlightEndpoint endpoint =
        new FlightEndpoint(ScanTicket.ofWholeQuery(plan.dataset(), plan.sql()).toTicket(), self);
    byte[] metadata =
        ("{\"resultVia\":\"coordinator\",\"coordinator\":\"" + self.getUri() + "\"}")
            .getBytes(StandardCharsets.UTF_8);
    return new FlightInfo(
        plan.schema(), descriptor, List.of(endpoint), -1, -1, false, IpcOption.DEFAULT, metadata);
  }

  /**
   * Endpoints for a query: one per split of the files its partition values allow, or a single
   * endpoint reading them in order when a LIMIT can stop the scan early.
   */
  private FlightInfo queryInfo(QueryPlan plan, FlightDescriptor descriptor) {
    Dataset dataset = plan.dataset();
    List<DataFile> files = plan.candidateFiles();
    List<FlightEndpoint> endpoints = new ArrayList<>();
    if (plan.limit().isPresent() || !plan.order().isEmpty()) {
      endpoints.add(new FlightEndpoint(ScanTicket.ofWholeQuery(dataset, plan.sql()).toTicket()));
    } else {
      for (DataFile file : files) {
        for (FileSplit split : FileSplit.of(file, splitBytes)) {
          endpoints.add(
              new FlightEndpoint(ScanTicket.ofQuery(dataset, split, plan.sql()).toTicket()));
        }
      }
    }
    int skipped = dataset.files().size() - files.size();
    LOG.info(
        "Planned {}: {} of {} files after partition pruning, {} endpoints",
        abbreviate(plan.sql()),
        files.size(),
        dataset.files().size(),
        endpoints.size());
    byte[] metadata = StreamStatistics.toJson(ScanStatistics.skippedFiles(skipped));
    return new FlightInfo(
        plan.schema(),
        descriptor,
        endpoints,
        -1,
        -1,
        !plan.order().isEmpty(),
        IpcOption.DEFAULT,
        metadata);
  }

  FlightInfo flightInfo(Dataset dataset) {
    List<String> columns = dataset.schema().getFields().stream().map(Field::getName).toList();
    List<FlightEndpoint> endpoints = new ArrayList<>();
    for (DataFile file : dataset.files()) {
      for (FileSplit split : FileSplit.of(file, splitBytes)) {
        endpoints.add(new FlightEndpoint(ScanTicket.of(dataset, split, columns).toTicket()));
      }
    }
    return new FlightInfo(
        dataset.schema(),
        FlightDescriptor.path(dataset.name()),
        endpoints,
        dataset.sizeBytes(),
        dataset.rowCount());
  }

  static String abbreviate(String sql) {
    String flat = sql.replaceAll("\\s+", " ").trim();
    return flat.length() <= 120 ? flat : flat.substring(0, 117) + "...";
  }
}
