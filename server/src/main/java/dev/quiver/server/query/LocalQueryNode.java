package dev.quiver.server.query;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.exec.Operator;
import dev.quiver.server.query.FragmentProtocol.PartialReport;
import dev.quiver.server.query.FragmentProtocol.PartialRequest;
import dev.quiver.server.query.FragmentProtocol.RangeShuffleRequest;
import dev.quiver.server.query.FragmentProtocol.ShuffleReport;
import dev.quiver.server.query.FragmentProtocol.ShuffleRequest;
import dev.quiver.server.query.FragmentProtocol.SortScanReport;
import dev.quiver.server.query.FragmentProtocol.SortScanRequest;
import org.apache.arrow.flight.Location;

/** The coordinator's own node: its stages are direct calls, its results handed over in memory. */
final class LocalQueryNode implements QueryNode {
  private final Location location;
  private final FragmentWorker worker;

  LocalQueryNode(Location location, FragmentWorker worker) {
    this.location = requireNonNull(location, "location is null");
    this.worker = requireNonNull(worker, "worker is null");
  }

  @Override
  public Location location() {
    return location;
  }

  @Override
  public PartialReport partial(PartialRequest request) {
    return worker.partial(request);
  }

  @Override
  public ShuffleReport shuffle(ShuffleRequest request) {
    return worker.shuffle(request);
  }

  @Override
  public SortScanReport sortScan(SortScanRequest request) {
    return worker.sortScan(request);
  }

  @Override
  public ShuffleReport rangeShuffle(RangeShuffleRequest request) {
    return worker.rangeShuffle(request);
  }

  @Override
  public Operator partials(String queryId) {
    return worker.partials(queryId);
  }

  @Override
  public Operator ownedGroups(String queryId) {
    return worker.ownedGroups(queryId);
  }

  @Override
  public void release(String queryId) {
    worker.release(queryId);
  }
}
