package dev.quiver.server.flight;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.auth.Caller;
import dev.quiver.server.auth.TicketSigner;
import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.flightsql.QuiverSqlProducer;
import dev.quiver.server.query.FragmentWorker;
import dev.quiver.server.query.PeerCalls;
import dev.quiver.server.ticket.QuiverTicket;
import dev.quiver.server.ticket.StageTicket;
import dev.quiver.server.ticket.Tickets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.flight.CancelFlightInfoRequest;
import org.apache.arrow.flight.CancelStatus;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Ticket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code CancelFlightInfo}, plain or through Flight SQL, across the nodes of a FlightInfo. A cancel
 * stops only what was issued to its caller: each ticket is opened as a {@code DoGet} opens it, and
 * only the streams of the user it was issued to stop. It is forwarded only to the cluster's own
 * nodes: a FlightInfo naming any other address is refused before anything is cancelled or called.
 */
final class Cancellations {
  private static final Logger LOG = LoggerFactory.getLogger(Cancellations.class);

  private final Cluster cluster;
  private final StreamTracker streams;
  private final PolledQueries polls;
  private final FragmentWorker worker;
  private final Optional<TicketSigner> signer;

  /**
   * @param signer opens the signed tickets of a node that signs them; empty when tickets are
   *     unsigned (a node that authenticates nobody)
   */
  Cancellations(
      Cluster cluster,
      StreamTracker streams,
      PolledQueries polls,
      FragmentWorker worker,
      Optional<TicketSigner> signer) {
    this.cluster = requireNonNull(cluster, "cluster is null");
    this.streams = requireNonNull(streams, "streams is null");
    this.polls = requireNonNull(polls, "polls is null");
    this.worker = requireNonNull(worker, "worker is null");
    this.signer = requireNonNull(signer, "signer is null");
  }

  /**
   * Cancels, for the calling user, what {@code info} started: a polled query, the streams of its
   * endpoints on this node, the unread ranges of a distributed sort, and, through {@code
   * CancelFlightInfo} with the tickets as the client sent them, its endpoints on other nodes.
   *
   * @return whether anything was still running
   * @throws QuiverException PERMISSION_DENIED when an endpoint names an address that is not a node
   *     of this cluster, or a ticket that was not issued to the caller
   */
  boolean cancel(FlightInfo info) {
    String caller = Caller.current().orElse("");
    Map<Location, List<FlightEndpoint>> elsewhere = new LinkedHashMap<>();
    List<TicketSigner.Opened> here = new ArrayList<>();
    for (FlightEndpoint endpoint : info.getEndpoints()) {
      List<Location> locations = endpoint.getLocations();
      for (Location location : locations) {
        if (!cluster.isMember(location)) {
          throw new QuiverException(
              ErrorCode.PERMISSION_DENIED,
              "Cannot cancel an endpoint at "
                  + location.getUri()
                  + ": it is not a node of this cluster; cancel the FlightInfo a node issued");
        }
      }
      // Every ticket is opened for the caller here, also those forwarded as they came: a peer
      // takes a node's word for whose ticket it is.
      TicketSigner.Opened opened = open(endpoint.getTicket(), caller);
      if (locations.isEmpty() || cluster.isSelf(locations.get(0))) {
        here.add(opened);
      } else {
        elsewhere.computeIfAbsent(locations.get(0), l -> new ArrayList<>()).add(endpoint);
      }
    }
    boolean running = false;
    String polled = PolledQueries.id(info.getAppMetadata(), "poll");
    if (polled != null) {
      running |= polls.cancel(polled, caller);
    }
    for (TicketSigner.Opened opened : here) {
      byte[] ticket = QuiverSqlProducer.quiverTicket(opened.ticket()).getBytes();
      running |= streams.cancel(ticket, opened.user());
      running |= releaseUnreadRange(ticket);
    }
    for (Map.Entry<Location, List<FlightEndpoint>> peer : elsewhere.entrySet()) {
      FlightInfo part =
          new FlightInfo(info.getSchema(), info.getDescriptor(), peer.getValue(), -1, -1);
      try {
        running |=
            cluster
                    .client(peer.getKey())
                    .cancelFlightInfo(
                        new CancelFlightInfoRequest(part), PeerCalls.timeout(Duration.ofSeconds(5)))
                    .getStatus()
                == CancelStatus.CANCELLED;
      } catch (FlightRuntimeException e) {
        LOG.info("Cancel on {} failed: {}", peer.getKey().getUri(), e.getMessage());
      }
    }
    return running;
  }

  /** The ticket inside {@code ticket} and whose it is, checked as a {@code DoGet} checks it. */
  private TicketSigner.Opened open(Ticket ticket, String caller) {
    return signer
        .map(s -> s.open(ticket, caller))
        .orElseGet(() -> new TicketSigner.Opened(ticket, caller));
  }

  /**
   * A share of an answer left on this node (a range of a distributed sort, an owner's groups) that
   * nobody will read is freed now, not at its expiry.
   */
  private boolean releaseUnreadRange(byte[] ticket) {
    QuiverTicket decoded;
    try {
      decoded = Tickets.decode(ticket);
    } catch (QuiverException e) {
      return false;
    }
    if (decoded instanceof StageTicket stage && stage.forClient()) {
      worker.release(stage.query());
      return true;
    }
    return false;
  }
}
