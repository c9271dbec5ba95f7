package dev.quiver.server.query;

import dev.quiver.parquet.dataset.DataFile;
import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.parquet.scan.FileSplit;
import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.cluster.Placement;
import dev.quiver.server.cluster.SplitAssigner;
import dev.quiver.server.physical.PhysicalPlan;
import dev.quiver.server.physical.Scan;
import dev.quiver.server.sql.Query;
import dev.quiver.server.ticket.ScanTicket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.flight.Location;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nodes a distributed query runs on, and what each of them scans.
 *
 * @param members the nodes, the coordinator among them
 * @param shares for shared placement, the row-group splits each member reads of each scan of the
 *     plan (dealt out largest first to the least loaded); null for peer-local data, where each node
 *     reads its own files
 */
public record QueryNodes(
    Placement placement, List<Location> members, Map<Scan, List<List<ScanTicket>>> shares) {
  private static final Logger LOG = LoggerFactory.getLogger(QueryNodes.class);

  /** How long a peer may take to answer the health call before a shared query runs without it. */
  public static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

  public QueryNodes {
    members = List.copyOf(members);
    shares = shares == null ? null : Map.copyOf(shares);
  }

  /**
   * Over shared storage any node can read any split, so a query runs on the nodes that answer.
   * Peer-local data needs every node: a node that is down fails the query (its rows would be
   * missing). A query is over shared storage when every dataset it reads is.
   */
  public static QueryNodes of(
      String queryId, Query plan, Cluster cluster, Set<String> sharedDatasets) {
    Placement placement = Placement.SHARED;
    for (Dataset dataset : plan.datasets()) {
      if (Placement.of(dataset.location(), sharedDatasets.contains(dataset.name()))
          != Placement.SHARED) {
        placement = Placement.of(dataset.location(), sharedDatasets.contains(dataset.name()));
      }
    }
    List<Location> members =
        placement == Placement.SHARED ? cluster.reachableMembers(PROBE_TIMEOUT) : cluster.members();
    if (members.size() < cluster.members().size()) {
      LOG.warn(
          "Query {}: peers {} do not answer; the shared dataset is read by the other {} node(s)",
          queryId,
          cluster.members().stream()
              .filter(m -> !members.contains(m))
              .map(Location::getUri)
              .toList(),
          members.size());
    }
    return new QueryNodes(placement, members, null);
  }

  /**
   * These nodes with, over shared storage, each scan of {@code plan} dealt out among them in splits
   * of about {@code splitBytes}; as they are for peer-local data.
   */
  public QueryNodes withShares(PhysicalPlan plan, String sql, long splitBytes) {
    if (placement != Placement.SHARED) {
      return this;
    }
    Map<Scan, List<List<ScanTicket>>> byScan = new HashMap<>();
    for (Scan scan : Scan.all(plan)) {
      List<FileSplit> splits = new ArrayList<>();
      for (DataFile file : Query.candidateFiles(scan.dataset(), scan.filter())) {
        splits.addAll(FileSplit.of(file, splitBytes));
      }
      List<List<ScanTicket>> dealt = new ArrayList<>();
      for (List<FileSplit> share : SplitAssigner.balance(splits, members.size())) {
        dealt.add(share.stream().map(s -> ScanTicket.ofQuery(scan.dataset(), s, sql)).toList());
      }
      byScan.put(scan, dealt);
    }
    return new QueryNodes(placement, members, byScan);
  }

  /** The splits member {@code m} reads of {@code scan}, or null when it reads its own files. */
  public List<ScanTicket> share(int m, Scan scan) {
    if (shares == null) {
      return null;
    }
    List<List<ScanTicket>> dealt = shares.get(scan);
    if (dealt == null) {
      throw new IllegalStateException("No splits were dealt for " + scan);
    }
    return dealt.get(m);
  }
}
