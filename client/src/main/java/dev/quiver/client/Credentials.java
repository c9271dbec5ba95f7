package dev.quiver.client;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallInfo;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightClientMiddleware;
import org.apache.arrow.flight.FlightStatusCode;

/**
 * A user name and password for nodes that authenticate their clients. Each connection sends them
 * once (HTTP Basic, as Flight's auth handlers expect) and from then on the bearer token the node
 * answered with; a node that did not issue the token (another node of the cluster, reached for an
 * endpoint) gets the password once too. A token the node no longer accepts (expired, or the node
 * restarted) is dropped after its refused call, so the next call sends the password again.
 */
public record Credentials(String user, String password) implements Authentication {
  public Credentials {
    requireNonNull(user, "user is null");
    requireNonNull(password, "password is null");
  }

  @Override
  public String toString() {
    return "Credentials[user=" + user + "]"; // never the password
  }

  /** Middleware for one connection: Basic until the node hands out a token, then the token. */
  @Override
  public FlightClientMiddleware.Factory middleware() {
    AtomicReference<String> bearer = new AtomicReference<>();
    String basic =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    return (CallInfo info) ->
        new FlightClientMiddleware() {
          private String sent;

          @Override
          public void onBeforeSendingHeaders(CallHeaders outgoing) {
            String token = bearer.get();
            sent = token != null ? token : basic;
            outgoing.insert("authorization", sent);
          }

          @Override
          public void onHeadersReceived(CallHeaders incoming) {
            String answered = incoming.get("authorization");
            if (answered != null && answered.startsWith("Bearer ")) {
              bearer.set(answered);
            }
          }

          @Override
          public void onCallCompleted(CallStatus status) {
            if (status.code() == FlightStatusCode.UNAUTHENTICATED && !basic.equals(sent)) {
              // The token expired or the node restarted: the next call sends the password again.
              bearer.compareAndSet(sent, null);
            }
          }
        };
  }
}
