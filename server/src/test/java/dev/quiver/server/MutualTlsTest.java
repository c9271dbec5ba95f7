package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.client.BatchStream;
import dev.quiver.client.BearerToken;
import dev.quiver.client.QuiverClient;
import dev.quiver.client.Tls;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightClientMiddleware;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * Nodes given their cluster's CA authenticate each other by certificate (mutual TLS): each presents
 * its own certificate when it calls a peer, and the calls only nodes make are refused to any client
 * without a certificate of that CA, whatever else it knows.
 */
class MutualTlsTest {
  private static final String SQL = "SELECT k, SUM(a), COUNT(*) FROM t GROUP BY k";
  private static final String SECRET = "a secret only the nodes know";

  @TempDir static Path data;
  static DuckDb duckdb;
  static TestCertificates certificates;
  static TestCertificates otherCa;
  static Path file;
  static Path users;
  static List<String> expected;

  @BeforeAll
  static void setUp() throws Exception {
    duckdb = new DuckDb();
    certificates = TestCertificates.create(Files.createDirectories(data.resolve("cluster")));
    otherCa = TestCertificates.create(Files.createDirectories(data.resolve("other")));
    // Every node serves the same file: the answer is three times DuckDB's sums and counts.
    TripledGroups groups = TripledGroups.write(duckdb, data);
    file = groups.file();
    expected = groups.expected();
    users = data.resolve("users");
    Files.writeString(users, "ana:" + new BCryptPasswordEncoder(4).encode("ana's password") + "\n");
  }

  @AfterAll
  static void close() throws Exception {
    duckdb.close();
  }

  private static Location location(TestCluster cluster) {
    URI uri = cluster.node(0).node().localLocation().getUri();
    return Location.forGrpcTls(uri.getHost(), uri.getPort());
  }

  /** A client trusting the cluster CA, presenting {@code certificate}'s node certificate if any. */
  private static FlightClient client(
      BufferAllocator allocator,
      Location location,
      TestCertificates certificate,
      FlightClientMiddleware.Factory... middleware)
      throws Exception {
    FlightClient.Builder builder = FlightClient.builder(allocator, location);
    // Flight reads the streams when it builds the client.
    builder.trustedCertificates(new ByteArrayInputStream(Files.readAllBytes(certificates.ca())));
    if (certificate != null) {
      builder.clientCertificate(
          new ByteArrayInputStream(Files.readAllBytes(certificate.chain())),
          new ByteArrayInputStream(Files.readAllBytes(certificate.key())));
    }
    for (FlightClientMiddleware.Factory factory : middleware) {
      builder.intercept(factory);
    }
    return builder.build();
  }

  @Test
  void peersPresentTheirCertificatesAndAClientWithoutOneIsDeniedEveryInternalCall()
      throws Exception {
    try (TestCluster cluster = certificates.cluster(file, Map.of());
        BufferAllocator allocator = new RootAllocator();
        FlightClient outsider = client(allocator, location(cluster), null)) {
      // No user authentication: anyone may query, but only nodes may make the nodes' calls.
      InternalCalls.assertAllDenied(outsider, allocator, "cluster's own nodes");
      try (QuiverClient client =
              QuiverClient.connect(
                  location(cluster).getUri(),
                  new RootAllocator(),
                  4,
                  Tls.trusting(certificates.ca()));
          BatchStream stream = client.query(SQL)) {
        List<String> actual = AggregateRows.of(stream);
        actual.sort(Comparator.naturalOrder());
        assertThat(actual).isEqualTo(expected);
        assertThat(stream.statistics().label("strategy")).isEqualTo("shuffle");
      }
    }
  }

  @Test
  void aClientPresentingACertificateOfTheClusterCaIsANode() throws Exception {
    Action release =
        new Action(
            "fragment.release", "{\"queryId\":\"no-such-query\"}".getBytes(StandardCharsets.UTF_8));
    try (TestCluster cluster = certificates.cluster(file, Map.of());
        BufferAllocator allocator = new RootAllocator();
        FlightClient node = client(allocator, location(cluster), certificates);
        FlightClient user = client(allocator, location(cluster), null)) {
      // The same call: refused without a certificate, allowed with one of the cluster CA (releasing
      // a query the node does not hold does nothing).
      assertThatThrownBy(() -> user.doAction(release).forEachRemaining(r -> {}))
          .isInstanceOf(FlightRuntimeException.class)
          .hasMessageContaining("cluster's own nodes");
      node.doAction(release).forEachRemaining(r -> {});
      assertThat(cluster.node(0).node().activeFragments()).isZero();
    }
  }

  @Test
  void aClientCertificateOfAnotherCaFailsTheHandshakeAndTheNodeServesOn() throws Exception {
    try (TestCluster cluster = certificates.cluster(file, Map.of());
        BufferAllocator allocator = new RootAllocator()) {
      try (FlightClient stranger = client(allocator, location(cluster), otherCa)) {
        assertThatThrownBy(() -> stranger.listFlights(Criteria.ALL).forEach(f -> {}))
            .isInstanceOf(FlightRuntimeException.class)
            .satisfies(
                e ->
                    assertThat(((FlightRuntimeException) e).status().code())
                        .isEqualTo(FlightStatusCode.UNAVAILABLE));
      }
      try (FlightClient user = client(allocator, location(cluster), null)) {
        List<String> names = new ArrayList<>();
        user.listFlights(Criteria.ALL)
            .forEach(f -> names.add(String.join("/", f.getDescriptor().getPath())));
        assertThat(names).containsExactly("t");
      }
    }
  }

  @Test
  void theClusterSecretWithoutACertificateOfTheClusterCaIsRefused() throws Exception {
    try (TestCluster cluster =
            certificates.cluster(
                file,
                Map.of(
                    "quiver.auth-users-file",
                    users.toString(),
                    "quiver.auth-cluster-secret",
                    SECRET));
        BufferAllocator allocator = new RootAllocator();
        FlightClient thief =
            client(allocator, location(cluster), null, new BearerToken(SECRET).middleware())) {
      // The secret alone makes no node: not for the nodes' calls, and not to read every dataset.
      InternalCalls.assertAllDenied(thief, allocator, "certificate of the cluster's CA");
      assertThatThrownBy(() -> thief.listFlights(Criteria.ALL).forEach(f -> {}))
          .isInstanceOf(FlightRuntimeException.class)
          .hasMessageContaining("certificate of the cluster's CA");
      // The nodes, which present both, still answer a user's aggregation.
      try (QuiverClient ana =
              QuiverClient.connect(
                  location(cluster).getUri(),
                  new RootAllocator(),
                  4,
                  Tls.trusting(certificates.ca()),
                  new dev.quiver.client.Credentials("ana", "ana's password"));
          BatchStream stream = ana.query(SQL)) {
        List<String> actual = AggregateRows.of(stream);
        actual.sort(Comparator.naturalOrder());
        assertThat(actual).isEqualTo(expected);
      }
    }
  }
}
