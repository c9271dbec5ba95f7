package dev.quiver.server.tls;

import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightProducer.CallContext;
import org.apache.arrow.flight.FlightServerMiddleware;

/**
 * The client certificate a call came with, as {@link ClientCertificates} found it in the TLS
 * session: the subject of a certificate of the cluster's CA, or none.
 */
public final class ClientCertificate implements FlightServerMiddleware {
  /** Where a node's calls find it. */
  public static final Key<ClientCertificate> KEY = Key.of("quiver-client-certificate");

  /** One per call, without a certificate until {@link ClientCertificates} sets it. */
  public static final Factory<ClientCertificate> FACTORY =
      (info, headers, request) -> new ClientCertificate();

  private volatile String subject;

  private ClientCertificate() {}

  void presented(String subject) {
    this.subject = subject;
  }

  /** The subject of the certificate of the cluster's CA the call's client presented, or null. */
  public String subject() {
    return subject;
  }

  /** Whether {@code context}'s client presented a certificate of the cluster's CA. */
  public static boolean presented(CallContext context) {
    ClientCertificate certificate = context.getMiddleware(KEY);
    return certificate != null && certificate.subject != null;
  }

  @Override
  public void onBeforeSendingHeaders(CallHeaders outgoingHeaders) {}

  @Override
  public void onCallCompleted(CallStatus status) {}

  @Override
  public void onCallErrored(Throwable err) {}
}
