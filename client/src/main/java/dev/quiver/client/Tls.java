package dev.quiver.client;

import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightClientMiddleware;
import org.apache.arrow.flight.FlightGrpcUtils;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.grpc.NettyClientBuilder;
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
   * A Flight client of {@code location}, checking its certificate as this says, on gRPC's shared
   * event loops.
   *
   * @param middleware added to every call, e.g. credentials
   */
  public FlightClient client(
      BufferAllocator allocator, Location location, FlightClientMiddleware.Factory... middleware) {
    return FlightGrpcUtils.createFlightClient(
        allocator, channel(allocator, location).build(), List.of(middleware));
  }

  /**
   * As {@link #client(BufferAllocator, Location, FlightClientMiddleware.Factory...)}, with the
   * connection's I/O on {@code network}, an NIO event loop group that the caller shuts down after
   * closing the client. gRPC's shared event loops outlive the last channel by a second, blocked in
   * native code, and a JVM that exits meanwhile first waits 300 ms for them (HotSpot's exit waits
   * that long for threads in native code): a short program that shuts its own group down exits at
   * once.
   */
  public FlightClient client(
      BufferAllocator allocator,
      Location location,
      EventLoopGroup network,
      FlightClientMiddleware.Factory... middleware) {
    NettyChannelBuilder channel =
        channel(allocator, location).eventLoopGroup(network).channelType(NioSocketChannel.class);
    return FlightGrpcUtils.createFlightClient(allocator, channel.build(), List.of(middleware));
  }

  private NettyChannelBuilder channel(BufferAllocator allocator, Location location) {
    NettyClientBuilder builder = new NettyClientBuilder(allocator, location);
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
