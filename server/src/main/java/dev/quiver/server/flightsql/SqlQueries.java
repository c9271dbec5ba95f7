package dev.quiver.server.flightsql;

import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightProducer;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.vector.types.pojo.Schema;

/** What the Flight SQL side asks of the node: the same query answers plain Flight gives. */
public interface SqlQueries {
  /** The FlightInfo of a query, cluster-wide, with Quiver's own tickets. */
  FlightInfo info(String sql, FlightDescriptor descriptor);

  /** The result schema of a query, without running it. */
  Schema schema(String sql);

  /**
   * Cancels the streams of {@code info}'s endpoints (Quiver tickets) on whichever node serves them.
   *
   * @return whether one of them was running
   */
  boolean cancel(FlightInfo info);

  /** Streams the answer of one of Quiver's own tickets, as a plain {@code DoGet} would. */
  void stream(
      FlightProducer.CallContext context,
      Ticket ticket,
      FlightProducer.ServerStreamListener listener);
}
