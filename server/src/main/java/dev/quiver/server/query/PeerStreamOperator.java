package dev.quiver.server.query;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.scan.ScanStatistics;
import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.exec.Operator;
import dev.quiver.server.ticket.FragmentTicket;
import dev.quiver.server.ticket.Tickets;
import java.time.Duration;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The receiving end of a gather: the batches another node streams for a fragment ticket. Batches
 * live in the stream's root, reused for the next batch; a failure names the peer and the stage.
 */
final class PeerStreamOperator implements Operator {
  private final Location peer;
  private final FragmentTicket ticket;
  private final FlightStream stream;

  private PeerStreamOperator(Location peer, FragmentTicket ticket, FlightStream stream) {
    this.peer = peer;
    this.ticket = ticket;
    this.stream = stream;
  }

  /** Starts reading {@code ticket} from {@code peer}. */
  static PeerStreamOperator open(
      Cluster cluster, Location peer, FragmentTicket ticket, Duration timeout) {
    requireNonNull(ticket, "ticket is null");
    try {
      FlightStream stream =
          cluster.client(peer).getStream(Tickets.encode(ticket), PeerCalls.timeout(timeout));
      return new PeerStreamOperator(peer, ticket, stream);
    } catch (FlightRuntimeException e) {
      throw failure(peer, ticket, e);
    }
  }

  @Override
  public Schema schema() {
    return stream.getSchema();
  }

  @Override
  public boolean next() {
    try {
      return stream.next();
    } catch (FlightRuntimeException e) {
      throw failure(peer, ticket, e);
    }
  }

  @Override
  public VectorSchemaRoot root() {
    return stream.getRoot();
  }

  @Override
  public ScanStatistics statistics() {
    return ScanStatistics.EMPTY;
  }

  @Override
  public void close() {
    try {
      stream.close();
    } catch (FlightRuntimeException e) {
      throw failure(peer, ticket, e);
    } catch (Exception e) {
      throw new QuiverException(
          ErrorCode.INTERNAL, "Reading from peer " + peer.getUri() + " failed: " + e);
    }
  }

  private static QuiverException failure(
      Location peer, FragmentTicket ticket, FlightRuntimeException e) {
    return PeerCalls.failure(
        peer, e, "reading the " + ticket.stage() + " result of query " + ticket.fragment());
  }
}
