package dev.quiver.server.flight;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.flightsql.QuiverSqlProducer;
import dev.quiver.server.query.FragmentWorker;
import dev.quiver.server.query.PeerCalls;
import dev.quiver.server.ticket.FragmentTicket;
import dev.quiver.server.ticket.QuiverTicket;
import dev.quiver.server.ticket.Tickets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.CancelFlightInfoRequest;
import org.apache.arrow.flight.CancelStatus;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.Location;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code CancelFlightInfo}, plain or through Flight SQL, across the nodes of a FlightInfo. */
final class Cancellations {
  private static final Logger LOG = LoggerFactory.getLogger(Cancellations.class);

  private final Cluster cluster;
  private final StreamTracker streams;
  private final PolledQueries polls;
  private final FragmentWorker worker;

  Cancellations(
      Cluster cluster, StreamTracker streams, PolledQueries polls, FragmentWorker worker) {
    this.cluster = requireNonNull(cluster, "cluster is null");
    this.streams = requireNonNull(streams, "streams is null");
    this.polls = requireNonNull(polls, "polls is null");
    this.worker = requireNonNull(worker, "worker is null");
  }

  /**
   * Cancels what {@code info} started: a polled query, the streams of its endpoints on this node,
   * the unread ranges of a distributed sort, and, through {@code CancelFlightInfo}, its endpoints
   * on other nodes.
   *
   * @return whether anything was still running
   */
  boolean cancel(FlightInfo info) {
    boolean running = false;
    String polled = PolledQueries.id(info.getAppMetadata(), "poll");
    if (polled != null) {
      running |= polls.cancel(polled);
    }
    Map<Location, List<FlightEndpoint>> elsewhere = new LinkedHashMap<>();
    for (FlightEndpoint endpoint : info.getEndpoints()) {
      List<Location> locations = endpoint.getLocations();
      if (locations.isEmpty() || cluster.isSelf(locations.get(0))) {
        byte[] ticket = QuiverSqlProducer.quiverTicket(endpoint.getTicket()).getBytes();
        running |= streams.cancel(ticket);
        running |= releaseUnreadRange(ticket);
      } else {
        elsewhere.computeIfAbsent(locations.get(0), l -> new ArrayList<>()).add(endpoint);
      }
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

  /** A range of a distributed sort that nobody will read is freed now, not at its expiry. */
  private boolean releaseUnreadRange(byte[] ticket) {
    QuiverTicket decoded;
    try {
      decoded = Tickets.decode(ticket);
    } catch (QuiverException e) {
      return false;
    }
    if (decoded instanceof FragmentTicket fragment
        && FragmentTicket.RANGE.equals(fragment.stage())) {
      worker.release(fragment.fragment());
      return true;
    }
    return false;
  }
}
