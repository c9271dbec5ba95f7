package dev.quiver.server.query;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.exec.Operator;
import dev.quiver.server.exec.OperatorCounters;
import dev.quiver.server.query.FragmentProtocol.ReleaseRequest;
import dev.quiver.server.query.FragmentProtocol.TaskReport;
import dev.quiver.server.query.FragmentProtocol.TaskRequest;
import dev.quiver.server.ticket.StageTicket;
import dev.quiver.server.ticket.Tickets;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.apache.arrow.flight.Location;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Another node of the cluster: a task is a {@code DoAction} call with a JSON request and report
 * ({@link FragmentProtocol#RUN_TASK}), its output a {@code DoGet} stream of Arrow batches read by
 * {@link StageTicket}.
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
  public TaskReport run(TaskRequest request) {
    return PeerCalls.action(
        cluster,
        location,
        FragmentProtocol.RUN_TASK,
        request,
        TaskReport.class,
        timeout,
        "task "
            + request.task()
            + " of stage "
            + request.stage()
            + " of query "
            + request.queryId());
  }

  @Override
  public Operator output(
      String queryId, int stage, int task, Consumer<List<OperatorCounters>> counters) {
    return PeerStreamOperator.open(
        cluster,
        location,
        Tickets.encode(StageTicket.held(queryId, stage, task)),
        timeout,
        "reading the output of task " + task + " of stage " + stage + " of query " + queryId,
        metadata -> {
          if (metadata != null) {
            byte[] bytes = new byte[(int) metadata.readableBytes()];
            metadata.getBytes(metadata.readerIndex(), bytes);
            List<OperatorCounters> read = FragmentProtocol.operators(bytes);
            if (read != null) {
              counters.accept(read);
            }
          }
        });
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
}
