package dev.quiver.server.ticket;

import static java.util.Objects.requireNonNull;

/**
 * A stage's result of one query on one node, scoped to the query: it stops working when the query
 * ends there.
 *
 * @param fragment the query id
 * @param stage {@code partial} (the partial result, for a gather), {@code final} (the owner's
 *     merged groups after a shuffle, for the coordinator), {@code answer} (the owner's share of the
 *     answer itself, in the query's output columns, read by the client; the owner frees the query
 *     after it) or {@code range} (the owner's range of a distributed sort, sorted, read by the
 *     client; the owner frees the query after it)
 */
public record FragmentTicket(String fragment, String stage) implements QuiverTicket {
  public static final String PARTIAL = "partial";
  public static final String FINAL = "final";
  public static final String ANSWER = "answer";
  public static final String RANGE = "range";

  public FragmentTicket {
    requireNonNull(fragment, "fragment is null");
    requireNonNull(stage, "stage is null");
  }
}
