package dev.quiver.server.tls;

import static java.util.Objects.requireNonNull;

import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLException;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightClientMiddleware;
import org.apache.arrow.flight.FlightGrpcUtils;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Mutual TLS between the nodes of a cluster: each node serves its certificate, asks every client
 * for one and trusts only the cluster's CA for it ({@link #server()}), and presents the same
 * certificate when it calls a peer ({@link #client}). Both sides read the certificate through one
 * {@link ReloadingKeyManager}, so a renewed certificate is presented on new connections either way.
 * Clients without a certificate still connect: they are users, and {@link ClientCertificates} tells
 * the calls of the two apart.
 */
public final class PeerTls {
  private final ReloadingKeyManager keys;
  private final Path clusterCa;
  private final SslContext client;

  /**
   * @param chain the node's certificate chain (PEM)
   * @param key its private key (PKCS#8 PEM)
   * @param clusterCa the CA certificates (PEM) that issued every node's certificate
   * @throws IllegalArgumentException naming a file that does not load
   */
  public PeerTls(Path chain, Path key, Path clusterCa) {
    this.keys = new ReloadingKeyManager(chain, key);
    this.clusterCa = requireNonNull(clusterCa, "clusterCa is null");
    try {
      this.client =
          GrpcSslContexts.forClient().keyManager(keys).trustManager(clusterCa.toFile()).build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "Cannot set up TLS with the CA certificates " + clusterCa + ": " + e.getMessage(), e);
    }
  }

  /**
   * The node's server context: its certificate, reloaded as files change, and client certificates
   * asked for and checked against the cluster CA.
   */
  public SslContext server() {
    try {
      return GrpcSslContexts.configure(
              SslContextBuilder.forServer(keys)
                  .trustManager(clusterCa.toFile())
                  .clientAuth(ClientAuth.OPTIONAL))
          .build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "Cannot set up TLS with the CA certificates " + clusterCa + ": " + e.getMessage(), e);
    }
  }

  /**
   * A Flight client of the peer at {@code location} ({@code grpc+tls://}) presenting this node's
   * certificate and checking the peer's against the cluster CA. Closing it closes its channel.
   */
  public FlightClient client(
      BufferAllocator allocator,
      Location location,
      List<FlightClientMiddleware.Factory> middleware) {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(location.getUri().getHost(), location.getUri().getPort())
            .useTransportSecurity()
            .sslContext(client)
            .maxTraceEvents(0)
            .maxInboundMessageSize(Integer.MAX_VALUE)
            .maxInboundMetadataSize(Integer.MAX_VALUE)
            .build();
    return FlightGrpcUtils.createFlightClient(allocator, channel, middleware);
  }
}
