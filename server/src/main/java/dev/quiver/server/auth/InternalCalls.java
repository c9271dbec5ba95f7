package dev.quiver.server.auth;

import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import org.apache.arrow.flight.FlightProducer.CallContext;

/**
 * Who may make the calls between nodes (fragment stages, exchange puts, planning for a peer):
 * anyone when the node authenticates nobody, else only its peers ({@link NodeAuthenticator#PEER}).
 */
public final class InternalCalls {
  private final boolean authenticated;
  private final TicketSigner tickets;

  /**
   * @param authenticated whether the node authenticates its callers
   */
  public InternalCalls(boolean authenticated) {
    this(authenticated, null);
  }

  /**
   * @param authenticated whether the node authenticates its callers
   * @param tickets signs the tickets given to clients and checks them, or null for unsigned tickets
   *     (a node that authenticates nobody)
   */
  public InternalCalls(boolean authenticated, TicketSigner tickets) {
    this.authenticated = authenticated;
    this.tickets = tickets;
  }

  /** What signs and checks client tickets; empty when tickets are not signed. */
  public java.util.Optional<TicketSigner> tickets() {
    return java.util.Optional.ofNullable(tickets);
  }

  /** Whether calls are checked at all (the node authenticates its callers). */
  public boolean enabled() {
    return authenticated;
  }

  /**
   * @throws QuiverException PERMISSION_DENIED, naming the call, for a caller that is not a peer
   */
  public void check(CallContext context, String call) {
    if (authenticated && !NodeAuthenticator.PEER.equals(context.peerIdentity())) {
      throw new QuiverException(
          ErrorCode.PERMISSION_DENIED, call + " is for the cluster's own nodes only");
    }
  }
}
