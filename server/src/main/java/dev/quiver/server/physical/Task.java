package dev.quiver.server.physical;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.ticket.ScanTicket;
import java.util.List;
import org.apache.arrow.flight.Location;

/**
 * One task of a stage: the node that runs the stage's plan for one partition of its output.
 *
 * @param partition which partition of the stage's input and output the task has: its index
 * @param node where it runs
 * @param splits for a stage that scans, the row groups it reads; null when it reads its node's own
 *     files (peer-local data); empty for a stage that reads only other stages
 */
public record Task(int partition, Location node, List<ScanTicket> splits) {
  public Task {
    requireNonNull(node, "node is null");
    splits = splits == null ? null : List.copyOf(splits);
  }

  /** Whether it reads the files its own node holds rather than splits it was given. */
  public boolean readsOwnFiles() {
    return splits == null;
  }
}
