package dev.quiver.server.ticket;

import static java.util.Objects.requireNonNull;

/**
 * The answer of a polled query, read once from the node that ran it.
 *
 * @param result the polled query's id
 */
public record ResultTicket(String result) implements QuiverTicket {
  public ResultTicket {
    requireNonNull(result, "result is null");
  }
}
