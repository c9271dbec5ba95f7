package dev.quiver.server.tls;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.apache.arrow.flight.FlightServerMiddleware;
import org.apache.arrow.flight.grpc.ServerInterceptorAdapter;

/**
 * Tells each call's {@link ClientCertificate} whether the connection's client presented a
 * certificate of the cluster's CA. The server's TLS context asks for client certificates and trusts
 * only the cluster CA for them, so a certificate in the TLS session was issued by it; a client
 * presenting another fails the handshake.
 *
 * <p>A gRPC interceptor, added to the server before Flight adds its own: Flight's then runs first,
 * creates the call's middleware (so {@link ClientCertificate#FACTORY} cannot see the session) and
 * makes them current, and this one fills in the certificate before the call reaches the producer.
 * Nothing a client sends can set it.
 */
public final class ClientCertificates implements ServerInterceptor {
  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    java.util.Map<FlightServerMiddleware.Key<?>, FlightServerMiddleware> middleware =
        ServerInterceptorAdapter.SERVER_MIDDLEWARE_KEY.get();
    if (middleware != null
        && middleware.get(ClientCertificate.KEY) instanceof ClientCertificate c) {
      c.presented(subject(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION)));
    }
    return next.startCall(call, headers);
  }

  private static String subject(SSLSession session) {
    if (session == null) {
      return null;
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length > 0 && chain[0] instanceof X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName();
      }
      return null;
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }
}
