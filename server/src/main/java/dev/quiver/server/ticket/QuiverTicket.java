package dev.quiver.server.ticket;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What a {@code DoGet} asks a Quiver node for. Clients treat tickets as opaque bytes; inside they
 * are JSON with a {@code kind} and a {@code version} ({@link Tickets}), so that nodes of different
 * versions refuse each other's tickets clearly instead of misreading them.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ScanTicket.class, name = "scan"),
  @JsonSubTypes.Type(value = GatheredTicket.class, name = "gathered"),
  @JsonSubTypes.Type(value = ResultTicket.class, name = "result"),
  @JsonSubTypes.Type(value = StageTicket.class, name = "stage")
})
public sealed interface QuiverTicket
    permits ScanTicket, GatheredTicket, ResultTicket, StageTicket {}
