package dev.quiver.server.ticket;

import dev.quiver.server.exec.SortKey;
import java.util.List;

/**
 * A scan with ORDER BY or LIMIT over a cluster, read through the node that planned it: the nodes'
 * own endpoints to read, the sort keys over their columns and the limit.
 *
 * @param parts each endpoint as {@code [base64 ticket, location]}
 * @param order sort keys over the endpoints' columns; empty to read them in turn
 * @param limit the most rows; {@code Long.MAX_VALUE} for all
 */
public record GatheredTicket(List<List<String>> parts, List<SortKey> order, long limit)
    implements QuiverTicket {
  public GatheredTicket {
    parts = List.copyOf(parts);
    order = order == null ? List.of() : List.copyOf(order);
  }
}
