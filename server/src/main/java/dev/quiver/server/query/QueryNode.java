package dev.quiver.server.query;

import dev.quiver.server.exec.Operator;
import dev.quiver.server.exec.OperatorCounters;
import dev.quiver.server.query.FragmentProtocol.TaskReport;
import dev.quiver.server.query.FragmentProtocol.TaskRequest;
import java.util.List;
import java.util.function.Consumer;
import org.apache.arrow.flight.Location;

/**
 * A node of a query as its coordinator sees it: it runs the tasks it is sent and hands out their
 * outputs. This node is a {@link LocalQueryNode} (direct calls into its {@link FragmentWorker}),
 * any other a {@link RemoteQueryNode} (the same calls over Flight: one action, one ticket); the
 * coordinator does not tell them apart. Failures of a remote node name it (UNAVAILABLE when it is
 * down or does not answer in time).
 */
public interface QueryNode {
  /** Where the node is reached; its identity in reports. */
  Location location();

  /** Runs, or opens, one task of a stage. */
  TaskReport run(TaskRequest request);

  /**
   * The output of a task the node holds for query {@code queryId}, handed out once; the caller owns
   * the operator. Once it ends, {@code counters} is told what each operator of the task did (for an
   * opened task, whose plan runs as it is read; nothing for a kept output).
   */
  Operator output(String queryId, int stage, int task, Consumer<List<OperatorCounters>> counters);

  /** Frees the query on the node; never fails (a node that is gone holds nothing). */
  void release(String queryId);
}
