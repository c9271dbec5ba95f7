package dev.quiver.server.ticket;

import java.util.List;

/**
 * A scan with ORDER BY and LIMIT, or LIMIT, over a cluster, read through the node that planned it:
 * the nodes' own endpoints, whose query the node plans into its stages.
 *
 * @param parts each endpoint as {@code [base64 ticket, location]}
 */
public record GatheredTicket(List<List<String>> parts) implements QuiverTicket {
  public GatheredTicket {
    parts = List.copyOf(parts);
  }
}
