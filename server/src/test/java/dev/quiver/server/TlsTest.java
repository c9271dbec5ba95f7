package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.client.BatchStream;
import dev.quiver.client.QuiverClient;
import dev.quiver.client.Tls;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes that serve TLS: clients reach them at {@code grpc+tls://} checking the cluster's CA, the
 * nodes call each other over TLS, endpoints keep the scheme (so Flight SQL's JDBC driver stays
 * encrypted on them), and a plain-text client is refused while the node goes on serving.
 */
class TlsTest {
  private static final String SQL = "SELECT k, SUM(a), COUNT(*) FROM t GROUP BY k";

  @TempDir static Path data;
  static DuckDb duckdb;
  static TestCertificates certificates;
  static Path file;
  static List<String> expected;

  @BeforeAll
  static void setUp() {
    duckdb = new DuckDb();
    certificates = TestCertificates.create(data);
    // Every node serves the same file: the answer is three times DuckDB's sums and counts.
    TripledGroups groups = TripledGroups.write(duckdb, data);
    file = groups.file();
    expected = groups.expected();
  }

  @AfterAll
  static void close() throws Exception {
    duckdb.close();
  }

  private static TestCluster cluster() {
    return certificates.cluster(file, Map.of());
  }

  private static URI tls(TestCluster cluster, int node) {
    return cluster.node(node).node().localLocation().getUri();
  }

  @Test
  void aClusterOverTlsAnswersAsDuckDbToAClientThatTrustsItsCa() throws Exception {
    try (TestCluster cluster = cluster();
        QuiverClient client =
            QuiverClient.connect(
                tls(cluster, 0), new RootAllocator(), 4, Tls.trusting(certificates.ca()))) {
      assertThat(tls(cluster, 0).getScheme()).isEqualTo("grpc+tls");
      try (BatchStream stream = client.query(SQL)) {
        List<String> actual = AggregateRows.of(stream);
        actual.sort(Comparator.naturalOrder());
        assertThat(actual).isEqualTo(expected);
        assertThat(stream.statistics().label("strategy")).isEqualTo("shuffle");
      }
      // A scan's endpoints name the nodes at grpc+tls://: read from all three, encrypted.
      try (BatchStream stream = client.read("t")) {
        long rows = 0;
        while (stream.next()) {
          rows += stream.root().getRowCount();
        }
        assertThat(rows).isEqualTo(900_000);
      }
    }
  }

  @Test
  void aRenewedCertificateIsServedWithoutARestart() throws Exception {
    Path served = java.nio.file.Files.createDirectories(data.resolve("served"));
    Path chain = served.resolve("tls.crt");
    Path key = served.resolve("tls.key");
    java.nio.file.Files.copy(certificates.chain(), chain);
    java.nio.file.Files.copy(certificates.key(), key);
    TestCertificates renewed =
        TestCertificates.create(java.nio.file.Files.createDirectories(data.resolve("renewed")));
    try (TestNode node =
        TestNode.start(
            Map.of("t", file.toString()),
            Map.of(
                "quiver.tls-cert-chain",
                chain.toString(),
                "quiver.tls-private-key",
                key.toString()))) {
      URI uri = node.node().localLocation().getUri();
      assertThat(count(uri, certificates.ca())).isEqualTo(300_000);
      // As Kubernetes updates a mounted Secret: the new files appear at once, by rename.
      java.nio.file.Files.copy(renewed.chain(), served.resolve("tls.crt.new"));
      java.nio.file.Files.copy(renewed.key(), served.resolve("tls.key.new"));
      java.nio.file.Files.move(
          served.resolve("tls.key.new"), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      java.nio.file.Files.move(
          served.resolve("tls.crt.new"), chain, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> count(uri, renewed.ca()) == 300_000);
      assertThatThrownBy(() -> count(uri, certificates.ca()))
          .isInstanceOf(org.apache.arrow.flight.FlightRuntimeException.class);
    }
  }

  private static long count(URI uri, Path ca) throws Exception {
    try (QuiverClient client = QuiverClient.connect(uri, new RootAllocator(), 4, Tls.trusting(ca));
        BatchStream stream = client.query("SELECT COUNT(*) FROM t")) {
      return Long.parseLong(AggregateRows.of(stream).get(0));
    }
  }

  @Test
  void plainTextAndUntrustingClientsAreRefusedAndTheNodeGoesOnServing() throws Exception {
    try (TestCluster cluster = cluster()) {
      int port = cluster.uri(0).getPort();
      try (QuiverClient plain = QuiverClient.connect(URI.create("grpc://127.0.0.1:" + port))) {
        assertThatThrownBy(plain::datasets).isInstanceOf(FlightRuntimeException.class);
      }
      try (QuiverClient untrusting = QuiverClient.connect(tls(cluster, 0))) {
        assertThatThrownBy(untrusting::datasets)
            .isInstanceOf(FlightRuntimeException.class)
            .hasStackTraceContaining("PKIX path building failed");
      }
      try (QuiverClient client =
              QuiverClient.connect(
                  tls(cluster, 1), new RootAllocator(), 4, Tls.trusting(certificates.ca()));
          BatchStream stream = client.query("SELECT COUNT(*) FROM t")) {
        assertThat(AggregateRows.of(stream)).containsExactly("900000");
      }
    }
  }

  @Test
  void theFlightSqlJdbcDriverQueriesOverTlsWithATrustStore() throws Exception {
    try (TestCluster cluster = cluster();
        Connection connection =
            DriverManager.getConnection(
                "jdbc:arrow-flight-sql://127.0.0.1:"
                    + cluster.uri(0).getPort()
                    + "/?useEncryption=true&useSystemTrustStore=false&trustStore="
                    + certificates.trustStore()
                    + "&trustStorePassword="
                    + TestCertificates.PASSWORD);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT COUNT(*) AS n FROM t WHERE k < 100")) {
      assertThat(rows.next()).isTrue();
      assertThat(rows.getLong("n")).isEqualTo(3L * 1500);
    }
  }
}
