package dev.quiver.client;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallInfo;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightClientMiddleware;

/**
 * A user name and password for nodes that authenticate their clients. Each connection sends them
 * once (HTTP Basic, as Flight's auth handlers expect) and from then on the bearer token the node
 * answered with; a node that did not issue the token (another node of the cluster, reached for an
 * endpoint) gets the password once too.
 */
public record Credentials(String user, String password) {
  public Credentials {
    requireNonNull(user, "user is null");
    requireNonNull(password, "password is null");
  }

  @Override
  public String toString() {
    return "Credentials[user=" + user + "]"; // never the password
  }

  /** Middleware for one connection: Basic until the node hands out a token, then the token. */
  FlightClientMiddleware.Factory middleware() {
    AtomicReference<String> bearer = new AtomicReference<>();
    String basic =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    return (CallInfo info) ->
        new FlightClientMiddleware() {
          @Override
          public void onBeforeSendingHeaders(CallHeaders outgoing) {
            String token = bearer.get();
            outgoing.insert("authorization", token != null ? token : basic);
          }

          @Override
          public void onHeadersReceived(CallHeaders incoming) {
            String answered = incoming.get("authorization");
            if (answered != null && answered.startsWith("Bearer ")) {
              bearer.set(answered);
            }
          }

          @Override
          public void onCallCompleted(CallStatus status) {}
        };
  }
}
