package dev.quiver.server.query;

import dev.quiver.server.exec.Operator;
import dev.quiver.server.query.FragmentProtocol.PartialReport;
import dev.quiver.server.query.FragmentProtocol.PartialRequest;
import dev.quiver.server.query.FragmentProtocol.RangeShuffleRequest;
import dev.quiver.server.query.FragmentProtocol.ShuffleReport;
import dev.quiver.server.query.FragmentProtocol.ShuffleRequest;
import dev.quiver.server.query.FragmentProtocol.SortScanReport;
import dev.quiver.server.query.FragmentProtocol.SortScanRequest;
import org.apache.arrow.flight.Location;

/**
 * A node of a query as its coordinator sees it: the stages it runs and the results it hands over.
 * This node is a {@link LocalQueryNode} (direct calls into its {@link FragmentWorker}), any other a
 * {@link RemoteQueryNode} (the same calls over Flight); the coordinator does not tell them apart.
 * Failures of a remote node name it (UNAVAILABLE when it is down or does not answer in time).
 */
public interface QueryNode {
  /** Where the node is reached; its identity in reports. */
  Location location();

  /** Scans the node's part of an aggregation and aggregates it partially. */
  PartialReport partial(PartialRequest request);

  /** Hash-partitions the node's partial groups and sends each partition to its owner. */
  ShuffleReport shuffle(ShuffleRequest request);

  /** Scans the node's part of a sorted query and samples its sort keys. */
  SortScanReport sortScan(SortScanRequest request);

  /** Sends the node's kept rows of a sorted query to the owners of their ranges. */
  ShuffleReport rangeShuffle(RangeShuffleRequest request);

  /** The node's partial groups of query {@code queryId}; the caller owns the operator. */
  Operator partials(String queryId);

  /**
   * The final groups of the partition the node owns, after HAVING; the caller owns the operator.
   */
  Operator ownedGroups(String queryId);

  /** Frees the query's fragment on the node; never fails (a node that is gone holds nothing). */
  void release(String queryId);
}
