package dev.quiver.server.ticket;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * The output of one task of a stage, read from the node that runs it: the one ticket of the stage
 * protocol. Either the ticket carries the stage's plan, and the serving node runs it as it is
 * (never planning SQL again) over the ticket's splits, or it names a task that the node holds for
 * the query (a kept output, or a task opened to receive rows), whose output it hands out once.
 *
 * @param query the query's id
 * @param stage the stage's number in its query
 * @param task the task's index in its stage
 * @param plan the stage's physical plan, as {@code PlanCodec} writes it; null to read a task the
 *     node holds
 * @param splits with a plan, the row groups the task scans; null when it scans its node's own files
 * @param forClient whether a client reads it: its share of the answer, after which the node frees
 *     the query; otherwise a call between nodes, not meant for clients
 */
public record StageTicket(
    String query, int stage, int task, String plan, List<ScanTicket> splits, boolean forClient)
    implements QuiverTicket {
  public StageTicket {
    requireNonNull(query, "query is null");
    splits = splits == null ? null : List.copyOf(splits);
  }

  /** Runs {@code plan} over {@code splits} (null: the node's own files): a call between nodes. */
  public static StageTicket running(String query, int stage, String plan, List<ScanTicket> splits) {
    return new StageTicket(query, stage, 0, requireNonNull(plan, "plan is null"), splits, false);
  }

  /** Reads a task the node holds: a call between nodes. */
  public static StageTicket held(String query, int stage, int task) {
    return new StageTicket(query, stage, task, null, null, false);
  }

  /** Reads a task the node holds, as a client reads its share of the answer. */
  public static StageTicket answer(String query, int stage, int task) {
    return new StageTicket(query, stage, task, null, null, true);
  }

  /** Whether only another node may read it. */
  @JsonIgnore
  public boolean isInternal() {
    return !forClient;
  }
}
