package dev.quiver.client.cli;

import java.net.URI;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;

/**
 * The one line the command line prints for a command that failed: a node's status as its code and
 * message, an unreachable node by its address.
 */
final class ErrorLine {
  private ErrorLine() {}

  /** What to print for {@code failure} of a command sent to {@code server}. */
  static String of(Throwable failure, URI server) {
    if (failure instanceof FlightRuntimeException flight
        && flight.status().code() == FlightStatusCode.UNAVAILABLE) {
      return "quiver: cannot reach "
          + server
          + " ("
          + flight.getMessage()
          + "); is a node running there?";
    }
    if (failure instanceof FlightRuntimeException flight) {
      return "quiver: " + flight.status().code() + ": " + flight.getMessage();
    }
    return "quiver: " + failure;
  }
}
