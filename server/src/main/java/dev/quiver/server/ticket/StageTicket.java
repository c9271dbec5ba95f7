package dev.quiver.server.ticket;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What a node reads from another to run a stage: the output of one task of a stage, which the
 * serving node computes by running the stage's plan as it is (never planning SQL again). A call
 * between nodes, not meant for clients.
 *
 * @param query the query's id, for logs and messages
 * @param stage the stage's number in its query
 * @param plan the stage's physical plan, as {@code PlanCodec} writes it
 * @param splits the row groups the task scans; null when it scans its node's own files
 */
public record StageTicket(String query, int stage, String plan, List<ScanTicket> splits)
    implements QuiverTicket {
  public StageTicket {
    requireNonNull(query, "query is null");
    requireNonNull(plan, "plan is null");
    splits = splits == null ? null : List.copyOf(splits);
  }
}
