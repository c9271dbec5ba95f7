package dev.quiver.server.auth;

import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.tls.ClientCertificate;
import org.apache.arrow.flight.FlightProducer.CallContext;

/**
 * Who may make the calls between nodes (fragment stages, exchange puts, planning for a peer): with
 * mutual TLS only callers that presented a certificate of the cluster's CA; when the node
 * authenticates its callers, only those that presented the cluster secret ({@link
 * NodeAuthenticator#PEER}); with both, only callers that did both; else anyone.
 */
public final class InternalCalls {
  private final boolean authenticated;
  private final TicketSigner tickets;
  private final boolean peerCertificates;

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
    this(authenticated, tickets, false);
  }

  /**
   * @param authenticated whether the node authenticates its callers
   * @param tickets signs the tickets given to clients and checks them, or null for unsigned tickets
   * @param peerCertificates whether peers are told by their certificate (mutual TLS), with or
   *     without user authentication
   */
  public InternalCalls(boolean authenticated, TicketSigner tickets, boolean peerCertificates) {
    this.authenticated = authenticated;
    this.tickets = tickets;
    this.peerCertificates = peerCertificates;
  }

  /** What signs and checks client tickets; empty when tickets are not signed. */
  public java.util.Optional<TicketSigner> tickets() {
    return java.util.Optional.ofNullable(tickets);
  }

  /** Whether calls are checked at all (the node authenticates its callers or its peers). */
  public boolean enabled() {
    return authenticated || peerCertificates;
  }

  /**
   * @throws QuiverException PERMISSION_DENIED, naming the call, for a caller that is not a peer
   */
  public void check(CallContext context, String call) {
    if (enabled() && !isPeer(context)) {
      throw new QuiverException(
          ErrorCode.PERMISSION_DENIED, call + " is for the cluster's own nodes only");
    }
  }

  /** Whether the caller is one of the cluster's nodes, as the class comment says. */
  public boolean isPeer(CallContext context) {
    return (!peerCertificates || ClientCertificate.presented(context))
        && (!authenticated || NodeAuthenticator.PEER.equals(context.peerIdentity()));
  }

  /**
   * Refuses a caller that presented the cluster secret without a certificate of the cluster's CA
   * when the nodes use mutual TLS: the secret alone makes no node, and would read every dataset.
   *
   * @throws QuiverException PERMISSION_DENIED
   */
  public void checkCaller(CallContext context) {
    if (peerCertificates
        && NodeAuthenticator.PEER.equals(context.peerIdentity())
        && !ClientCertificate.presented(context)) {
      throw new QuiverException(
          ErrorCode.PERMISSION_DENIED,
          "The cluster secret is accepted only from a node presenting a certificate of the"
              + " cluster's CA");
    }
  }
}
