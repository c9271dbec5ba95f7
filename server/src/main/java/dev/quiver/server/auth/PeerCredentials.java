package dev.quiver.server.auth;

import static java.util.Objects.requireNonNull;

import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallInfo;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightClientMiddleware;

/** What a node sends on every call to a peer: the cluster secret, as a bearer token. */
public final class PeerCredentials implements FlightClientMiddleware.Factory {
  private final String authorization;

  public PeerCredentials(String clusterSecret) {
    this.authorization = "Bearer " + requireNonNull(clusterSecret, "clusterSecret is null");
  }

  @Override
  public FlightClientMiddleware onCallStarted(CallInfo info) {
    return new FlightClientMiddleware() {
      @Override
      public void onBeforeSendingHeaders(CallHeaders outgoing) {
        outgoing.insert("authorization", authorization);
      }

      @Override
      public void onHeadersReceived(CallHeaders incoming) {}

      @Override
      public void onCallCompleted(CallStatus status) {}
    };
  }
}
