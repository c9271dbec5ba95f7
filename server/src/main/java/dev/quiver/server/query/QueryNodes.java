package dev.quiver.server.query;

import dev.quiver.parquet.dataset.DataFile;
import dev.quiver.parquet.scan.FileSplit;
import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.cluster.Placement;
import dev.quiver.server.cluster.SplitAssigner;
import dev.quiver.server.sql.Query;
import dev.quiver.server.ticket.ScanTicket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.arrow.flight.Location;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nodes a distributed query runs on, and what each of them scans.
 *
 * @param members the nodes, the coordinator among them
 * @param shares for shared placement, the row-group splits each member reads (dealt out largest
 *     first to the least loaded); null for peer-local data, where each node reads its own files
 */
public record QueryNodes(
    Placement placement, List<Location> members, List<List<ScanTicket>> shares) {
  private static final Logger LOG = LoggerFactory.getLogger(QueryNodes.class);

  /** How long a peer may take to answer the health call before a shared query runs without it. */
  public static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

  /**
   * Over shared storage any node can read any split, so a query runs on the nodes that answer.
   * Peer-local data needs every node: a node that is down fails the query (its rows would be
   * missing).
   */
  public static QueryNodes of(
      String queryId, Query plan, Cluster cluster, Set<String> sharedDatasets, long splitBytes) {
    Placement placement =
        Placement.of(plan.dataset().location(), sharedDatasets.contains(plan.dataset().name()));
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
    List<List<ScanTicket>> shares = null;
    if (placement == Placement.SHARED) {
      List<FileSplit> splits = new ArrayList<>();
      for (DataFile file : plan.candidateFiles()) {
        splits.addAll(FileSplit.of(file, splitBytes));
      }
      shares = new ArrayList<>();
      for (List<FileSplit> share : SplitAssigner.balance(splits, members.size())) {
        shares.add(
            share.stream().map(s -> ScanTicket.ofQuery(plan.dataset(), s, plan.sql())).toList());
      }
    }
    return new QueryNodes(placement, List.copyOf(members), shares);
  }

  /** The splits member {@code m} reads, or null when it reads its own files. */
  public List<ScanTicket> share(int m) {
    return shares == null ? null : shares.get(m);
  }
}
