package dev.quiver.server.query;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.exec.Operator;
import dev.quiver.server.exec.OperatorCounters;
import dev.quiver.server.query.FragmentProtocol.TaskReport;
import dev.quiver.server.query.FragmentProtocol.TaskRequest;
import java.util.List;
import java.util.function.Consumer;
import org.apache.arrow.flight.Location;

/** The coordinator's own node: its tasks are direct calls, their outputs handed over in memory. */
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
  public TaskReport run(TaskRequest request) {
    return worker.run(request);
  }

  @Override
  public Operator output(
      String queryId, int stage, int task, Consumer<List<OperatorCounters>> counters) {
    return worker.output(queryId, stage, task, counters);
  }

  @Override
  public void release(String queryId) {
    worker.release(queryId);
  }
}
