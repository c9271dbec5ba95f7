package dev.quiver.server.query;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.exec.Operator;
import dev.quiver.server.query.FragmentProtocol.PartialReport;
import dev.quiver.server.query.FragmentProtocol.PartialRequest;
import dev.quiver.server.query.FragmentProtocol.RangeShuffleRequest;
import dev.quiver.server.query.FragmentProtocol.ReleaseRequest;
import dev.quiver.server.query.FragmentProtocol.ShuffleReport;
import dev.quiver.server.query.FragmentProtocol.ShuffleRequest;
import dev.quiver.server.query.FragmentProtocol.SortScanReport;
import dev.quiver.server.query.FragmentProtocol.SortScanRequest;
import dev.quiver.server.ticket.FragmentTicket;
import dev.quiver.server.ticket.Tickets;
import java.time.Duration;
import org.apache.arrow.flight.Location;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Another node of the cluster: stages are {@code DoAction} calls with JSON requests and reports
 * ({@link FragmentProtocol}), results are {@code DoGet} streams of Arrow batches read by fragment
 * ticket.
 */
final class RemoteQueryNode implements QueryNode {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteQueryNode.class);
  private static final Duration RELEASE_TIMEOUT = Duration.ofSeconds(5);

  private final Cluster cluster;
  private final Location location;
  private final Duration timeout;

  /**
   * @param timeout how long a call may take
   */
  RemoteQueryNode(Cluster cluster, Location location, Duration timeout) {
    this.cluster = requireNonNull(cluster, "cluster is null");
    this.location = requireNonNull(location, "location is null");
    this.timeout = requireNonNull(timeout, "timeout is null");
  }

  @Override
  public Location location() {
    return location;
  }

  @Override
  public PartialReport partial(PartialRequest request) {
    return call(
        FragmentProtocol.PARTIAL,
        request,
        PartialReport.class,
        "the scan of query " + request.queryId());
  }

  @Override
  public ShuffleReport shuffle(ShuffleRequest request) {
    return call(
        FragmentProtocol.SHUFFLE,
        request,
        ShuffleReport.class,
        "the shuffle of query " + request.queryId());
  }

  @Override
  public SortScanReport sortScan(SortScanRequest request) {
    return call(
        FragmentProtocol.SORT_SCAN,
        request,
        SortScanReport.class,
        "the scan of query " + request.queryId());
  }

  @Override
  public ShuffleReport rangeShuffle(RangeShuffleRequest request) {
    return call(
        FragmentProtocol.RANGE_SHUFFLE,
        request,
        ShuffleReport.class,
        "the range shuffle of query " + request.queryId());
  }

  @Override
  public Operator partials(String queryId) {
    return read(new FragmentTicket(queryId, FragmentTicket.PARTIAL));
  }

  @Override
  public Operator ownedGroups(String queryId) {
    return read(new FragmentTicket(queryId, FragmentTicket.FINAL));
  }

  private Operator read(FragmentTicket ticket) {
    return PeerStreamOperator.open(
        cluster,
        location,
        Tickets.encode(ticket),
        timeout,
        "reading the " + ticket.stage() + " result of query " + ticket.fragment(),
        metadata -> {});
  }

  @Override
  public void release(String queryId) {
    try {
      PeerCalls.action(
          cluster,
          location,
          FragmentProtocol.RELEASE,
          new ReleaseRequest(queryId),
          null,
          RELEASE_TIMEOUT);
    } catch (RuntimeException e) {
      LOG.debug("Query {}: release on {} failed: {}", queryId, location, e.getMessage());
    }
  }

  private <T> T call(String action, Object request, Class<T> reply, String during) {
    return PeerCalls.action(cluster, location, action, request, reply, timeout, during);
  }
}
