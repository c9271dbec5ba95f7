package dev.quiver.client;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightClientMiddleware;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;

/**
 * How a client checks the certificate of a node it reaches at a {@code grpc+tls://} location:
 * against the system's trust store ({@link #SYSTEM}), against the CA certificates of a PEM file (a
 * cluster's own CA), or, for development only, not at all. Plain {@code grpc://} locations are
 * unaffected.
 *
 * @param trustedCertificates PEM file of the CA certificates to trust; null for the system's
 * @param skipVerify accept any certificate (development only: anyone on the path can read along)
 */
public record Tls(Path trustedCertificates, boolean skipVerify) {
  /** Trust what the JVM's trust store trusts. */
  public static final Tls SYSTEM = new Tls(null, false);

  /** Trust the CA certificates in {@code pem}. */
  public static Tls trusting(Path pem) {
    return new Tls(pem, false);
  }

  /**
   * A Flight client of {@code location}, checking its certificate as this says.
   *
   * @param middleware added to every call, e.g. credentials
   */
  public FlightClient client(
      BufferAllocator allocator, Location location, FlightClientMiddleware.Factory... middleware) {
    FlightClient.Builder builder = FlightClient.builder(allocator, location);
    for (FlightClientMiddleware.Factory factory : middleware) {
      builder.intercept(factory);
    }
    if (location.getUri().getScheme().endsWith("+tls")) {
      if (skipVerify) {
        builder.verifyServer(false);
      } else if (trustedCertificates != null) {
        try {
          builder.trustedCertificates(
              new ByteArrayInputStream(Files.readAllBytes(trustedCertificates)));
        } catch (IOException e) {
          throw new UncheckedIOException(
              "Cannot read the trusted certificates " + trustedCertificates, e);
        }
      }
    }
    return builder.build();
  }
}
