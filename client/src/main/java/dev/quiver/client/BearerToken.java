package dev.quiver.client;

import static java.util.Objects.requireNonNull;

import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallInfo;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightClientMiddleware;

/**
 * A bearer token, such as a JWT an OIDC issuer signed, sent as {@code authorization: Bearer ...} on
 * every call. Nodes that do not accept it answer UNAUTHENTICATED.
 */
public record BearerToken(String token) implements Authentication {
  public BearerToken {
    requireNonNull(token, "token is null");
    if (token.isBlank()) {
      throw new IllegalArgumentException("The bearer token is empty");
    }
  }

  @Override
  public String toString() {
    return "BearerToken[...]"; // never the token
  }

  @Override
  public FlightClientMiddleware.Factory middleware() {
    String header = "Bearer " + token;
    return (CallInfo info) ->
        new FlightClientMiddleware() {
          @Override
          public void onBeforeSendingHeaders(CallHeaders outgoing) {
            outgoing.insert("authorization", header);
          }

          @Override
          public void onHeadersReceived(CallHeaders incoming) {}

          @Override
          public void onCallCompleted(CallStatus status) {}
        };
  }
}
