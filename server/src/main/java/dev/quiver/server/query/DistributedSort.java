package dev.quiver.server.query;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.exec.SortKey;
import dev.quiver.server.exec.Sorter;
import dev.quiver.server.query.FragmentProtocol.RangeShuffleRequest;
import dev.quiver.server.query.FragmentProtocol.ShuffleReport;
import dev.quiver.server.query.FragmentProtocol.SortScanReport;
import dev.quiver.server.query.FragmentProtocol.SortScanRequest;
import dev.quiver.server.sql.QueryPlan;
import dev.quiver.server.ticket.FragmentTicket;
import dev.quiver.server.ticket.Tickets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sorts a query's rows across the cluster, so that a client reads one globally sorted result from
 * several nodes in parallel.
 *
 * <ol>
 *   <li>Scan: every node scans its part (filter, computed columns), keeps the rows and returns a
 *       sample of their sort keys.
 *   <li>Boundaries: the coordinator sorts the samples and cuts them into as many ranges as nodes
 *       hold data, at even quantiles.
 *   <li>Range shuffle: every node sends each kept row to the owner of its range (Arrow batches over
 *       {@code DoPut}, as the aggregation's shuffle).
 *   <li>Result: one endpoint per owner, in range order ({@code FlightInfo.ordered}); each owner
 *       sorts its range when the endpoint is read, streams it and frees the query.
 * </ol>
 *
 * Until the endpoints are read, the rows stay in the owners' query memory (limited by {@code
 * query-memory-limit}; an unread query expires after {@code fragment-ttl}).
 */
public final class DistributedSort {
  private static final Logger LOG = LoggerFactory.getLogger(DistributedSort.class);

  /** Rows of sort keys each node samples. */
  static final int SAMPLE_ROWS = 1000;

  private final FragmentWorker worker;
  private final Cluster cluster;
  private final NodeCalls calls;
  private final AggregateCoordinator.Settings settings;
  private final BufferAllocator root;

  /**
   * @param root the process's root allocator; the boundaries are chosen in a child of it
   * @param executor runs the calls to the nodes in parallel
   */
  public DistributedSort(
      FragmentWorker worker,
      Cluster cluster,
      ExecutorService executor,
      AggregateCoordinator.Settings settings,
      BufferAllocator root) {
    this.worker = requireNonNull(worker, "worker is null");
    this.cluster = requireNonNull(cluster, "cluster is null");
    this.calls = new NodeCalls(cluster, worker, executor);
    this.settings = requireNonNull(settings, "settings is null");
    this.root = requireNonNull(root, "root is null");
  }

  /**
   * Runs the scan and the range shuffle of {@code plan} as query {@code queryId}.
   *
   * @return one endpoint per range, in order, each on the node that owns the range
   */
  public List<FlightEndpoint> run(String queryId, QueryPlan plan) {
    QueryNodes nodes =
        QueryNodes.of(queryId, plan, cluster, settings.sharedDatasets(), settings.splitBytes());
    List<Location> members = nodes.members();
    List<QueryNode> memberNodes = calls.nodes(members);
    LOG.info("Query {}: distributed sort over {} node(s)", queryId, members.size());
    boolean done = false;
    String encoded = worker.codec().encode(plan);
    try {
      List<SortScanReport> scans =
          calls.onEvery(
              memberNodes,
              node ->
                  node.sortScan(
                      new SortScanRequest(
                          queryId,
                          plan.dataset().name(),
                          plan.sql(),
                          encoded,
                          nodes.share(memberNodes.indexOf(node)),
                          SAMPLE_ROWS)),
              () -> false,
              finished -> {});
      List<QueryNode> holders = new ArrayList<>();
      for (int m = 0; m < members.size(); m++) {
        if (scans.get(m).hasDataset()) {
          holders.add(memberNodes.get(m));
        }
      }
      Boundaries boundaries = boundaries(queryId, plan, scans, holders.size());
      List<QueryNode> owners = holders.subList(0, Math.min(holders.size(), boundaries.ranges()));
      RangeShuffleRequest shuffle =
          new RangeShuffleRequest(
              queryId,
              boundaries.encoded(),
              owners.stream().map(o -> o.location().getUri().toString()).toList());
      List<ShuffleReport> shuffled =
          boundaries.encoded() == null
              ? List.of()
              : calls.onEvery(holders, h -> h.rangeShuffle(shuffle), () -> false, finished -> {});
      LOG.info(
          "Query {}: {} rows in {} ranges; rows sent between nodes: {}",
          queryId,
          scans.stream().mapToLong(SortScanReport::rows).sum(),
          owners.size(),
          shuffled.stream().mapToLong(ShuffleReport::rowsOut).sum());
      List<FlightEndpoint> endpoints = new ArrayList<>();
      Ticket ticket = Tickets.encode(new FragmentTicket(queryId, FragmentTicket.RANGE));
      for (QueryNode owner : owners) {
        endpoints.add(new FlightEndpoint(ticket, owner.location()));
      }
      // Holders that own no range (fewer sampled rows than nodes) are done.
      calls.releaseEverywhere(
          queryId, memberNodes.stream().filter(m -> !owners.contains(m)).toList());
      done = true;
      return endpoints;
    } finally {
      if (!done) {
        calls.releaseEverywhere(queryId, memberNodes);
      }
    }
  }

  /**
   * The boundaries of the ranges, as Arrow IPC, and how many ranges they make.
   *
   * @param encoded null when no node kept a row (one empty range)
   */
  private record Boundaries(String encoded, int ranges) {}

  /**
   * Sorts every node's sample and picks {@code ranges - 1} boundaries at even quantiles (fewer when
   * there are fewer sampled rows).
   */
  private Boundaries boundaries(
      String queryId, QueryPlan plan, List<SortScanReport> scans, int ranges) {
    List<SortKey> keys = new ArrayList<>();
    for (int k = 0; k < plan.order().size(); k++) {
      SortKey key = plan.order().get(k);
      keys.add(new SortKey(k, key.descending(), key.nullsFirst()));
    }
    try (BufferAllocator allocator =
            root.newChildAllocator(
                "query-" + queryId + "-boundaries", 0, worker.settings().queryMemoryBytes());
        Sorter samples = new Sorter(keys, allocator)) {
      VectorSchemaRoot first = null;
      for (SortScanReport scan : scans) {
        if (scan.sample() != null) {
          VectorSchemaRoot sample = ArrowBytes.decode(scan.sample(), allocator);
          samples.add(sample);
          first = first == null ? sample : first;
        }
      }
      if (first == null) {
        return new Boundaries(null, 1);
      }
      long[] order = samples.sorted(Long.MAX_VALUE);
      int cuts = Math.max(0, Math.min(ranges - 1, order.length - 1));
      long[] picked = new long[cuts];
      for (int b = 0; b < cuts; b++) {
        picked[b] = order[(int) ((long) (b + 1) * order.length / (cuts + 1))];
      }
      int[] columns = new int[keys.size()];
      for (int c = 0; c < columns.length; c++) {
        columns[c] = c;
      }
      try (VectorSchemaRoot boundaries = VectorSchemaRoot.create(first.getSchema(), allocator)) {
        samples.fill(boundaries, picked, 0, cuts, columns);
        return new Boundaries(ArrowBytes.encode(boundaries), cuts + 1);
      }
    }
  }
}
