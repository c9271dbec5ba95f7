package dev.quiver.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;

/**
 * A node makes clients of its peers only: addresses its configuration or membership gave it,
 * matched by host and port or by the addresses a name resolves to, and connected to as configured.
 * Any other address is refused before a connection is made.
 */
class ClusterTest {
  @Test
  void connectsOnlyToPeersItWasToldOfUnderWhateverNameTheyAreGiven() throws Exception {
    List<Location> connected = new ArrayList<>();
    try (BufferAllocator root = new RootAllocator();
        Cluster cluster =
            new Cluster(
                Cluster.parse(List.of("localhost:41001", "127.0.0.1:41002")),
                root,
                (allocator, peer, middleware) -> {
                  connected.add(peer);
                  return FlightClient.builder(allocator, peer).build();
                })) {
      cluster.bind(Location.forGrpcInsecure("127.0.0.1", 41000));

      cluster.client(Location.forGrpcInsecure("127.0.0.1", 41001)); // localhost, by address
      cluster.client(Location.forGrpcTls("127.0.0.1", 41002)); // its scheme is the configured one

      assertThat(connected)
          .containsExactly(
              Location.forGrpcInsecure("localhost", 41001),
              Location.forGrpcInsecure("127.0.0.1", 41002));
      assertThat(cluster.isMember(Location.forGrpcInsecure("localhost", 41000))).isTrue();
      for (Location outsider :
          List.of(
              Location.forGrpcInsecure("127.0.0.1", 41003),
              Location.forGrpcInsecure("127.0.0.2", 41001),
              Location.forGrpcInsecure("no-such-host.invalid", 41001))) {
        assertThat(cluster.isMember(outsider)).as(outsider.toString()).isFalse();
        assertThatThrownBy(() -> cluster.client(outsider))
            .isInstanceOfSatisfying(
                QuiverException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED))
            .hasMessageContaining("not a node of this cluster");
      }
      assertThat(connected).hasSize(2);
    }
  }
}
