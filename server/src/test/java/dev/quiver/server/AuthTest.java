package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.client.BatchStream;
import dev.quiver.client.Credentials;
import dev.quiver.client.QuiverClient;
import dev.quiver.client.Tls;
import dev.quiver.server.ticket.Tickets;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.CancelFlightInfoRequest;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * Nodes that authenticate their callers, over TLS: users from a bcrypt password file (Flight's
 * Basic then bearer token), the nodes among themselves by the cluster secret. A wrong or missing
 * credential is UNAUTHENTICATED without saying which part was wrong; a user calling what only nodes
 * may call is PERMISSION_DENIED; the nodes go on serving.
 */
class AuthTest {
  private static final String SQL = "SELECT k, SUM(a), COUNT(*) FROM t GROUP BY k";
  private static final Credentials ANA = new Credentials("ana", "correct horse battery staple");

  @TempDir static Path data;
  static DuckDb duckdb;
  static TestCertificates certificates;
  static Path file;
  static Path users;
  static List<String> expected;

  @BeforeAll
  static void setUp() throws Exception {
    duckdb = new DuckDb();
    certificates = TestCertificates.create(data);
    // Every node serves the same file: the answer is three times DuckDB's sums and counts.
    TripledGroups groups = TripledGroups.write(duckdb, data);
    file = groups.file();
    expected = groups.expected();
    BCryptPasswordEncoder bcrypt = new BCryptPasswordEncoder(4);
    users = data.resolve("users");
    Files.writeString(
        users,
        "# name:bcrypt-hash\n"
            + "ana:"
            + bcrypt.encode(ANA.password())
            + "\n"
            + "bob:"
            + bcrypt.encode("another one")
            + "\n");
  }

  @AfterAll
  static void close() throws Exception {
    duckdb.close();
  }

  private static TestCluster cluster() {
    return certificates.cluster(
        file,
        Map.of(
            "quiver.auth-users-file",
            users.toString(),
            "quiver.auth-cluster-secret",
            "a secret only the nodes know"));
  }

  private static URI tls(TestCluster cluster, int node) {
    return cluster.node(node).node().localLocation().getUri();
  }

  private static QuiverClient client(TestCluster cluster, int node, Credentials credentials) {
    return QuiverClient.connect(
        tls(cluster, node), new RootAllocator(), 4, Tls.trusting(certificates.ca()), credentials);
  }

  @Test
  void theJdbcDriverWithUserAndPasswordOverTlsAnswersAsDuckDb() throws Exception {
    try (TestCluster cluster = cluster();
        Connection connection =
            DriverManager.getConnection(
                "jdbc:arrow-flight-sql://127.0.0.1:"
                    + cluster.uri(0).getPort()
                    + "/?useEncryption=true&useSystemTrustStore=false&trustStore="
                    + certificates.trustStore()
                    + "&trustStorePassword="
                    + TestCertificates.PASSWORD,
                ANA.user(),
                ANA.password());
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(SQL)) {
      List<String> actual = new ArrayList<>();
      while (rows.next()) {
        actual.add(rows.getLong(1) + "|" + rows.getLong(2) + "|" + rows.getLong(3));
      }
      actual.sort(Comparator.naturalOrder());
      assertThat(actual).isEqualTo(expected);
    }
  }

  @Test
  void theJavaClientAuthenticatesToEveryNodeItReads() throws Exception {
    try (TestCluster cluster = cluster();
        QuiverClient client = client(cluster, 0, ANA)) {
      try (BatchStream stream = client.query(SQL)) {
        List<String> actual = AggregateRows.of(stream);
        actual.sort(Comparator.naturalOrder());
        assertThat(actual).isEqualTo(expected);
      }
      long rows = 0;
      try (BatchStream stream = client.read("t")) {
        while (stream.next()) {
          rows += stream.root().getRowCount();
        }
      }
      assertThat(rows).as("read from all three nodes' endpoints").isEqualTo(900_000);
    }
  }

  @Test
  void theCliTakesTheCaAndTheUser() throws Exception {
    try (TestCluster cluster = cluster()) {
      String server = "grpc://127.0.0.1:" + cluster.uri(0).getPort();
      CliRun run =
          CliRun.of(
              "--server",
              server,
              "--tls",
              "--ca-cert",
              certificates.ca().toString(),
              "--user",
              ANA.user(),
              "--password",
              ANA.password(),
              "sql",
              "SELECT COUNT(*) AS n FROM t");
      assertThat(run.exit()).as(run.err()).isZero();
      assertThat(run.out()).contains("900,000");
      CliRun wrong =
          CliRun.of(
              "--server",
              server,
              "--tls",
              "--ca-cert",
              certificates.ca().toString(),
              "--user",
              ANA.user(),
              "--password",
              "wrong",
              "list");
      assertThat(wrong.exit()).isNotZero();
      assertThat(wrong.err()).contains("UNAUTHENTICATED");
    }
  }

  @Test
  void aClientWhoseTokenTheNodeForgotSendsItsPasswordAgain() throws Exception {
    Map<String, Object> properties =
        Map.of(
            "quiver.tls-cert-chain", certificates.chain().toString(),
            "quiver.tls-private-key", certificates.key().toString(),
            "quiver.auth-users-file", users.toString());
    TestNode first = TestNode.start(Map.of("t", file.toString()), properties);
    int port = first.uri().getPort();
    URI uri = first.node().localLocation().getUri();
    try (QuiverClient client =
        QuiverClient.connect(uri, new RootAllocator(), 4, Tls.trusting(certificates.ca()), ANA)) {
      try (BatchStream stream = client.query("SELECT COUNT(*) FROM t")) {
        assertThat(AggregateRows.of(stream)).containsExactly("300000");
      }
      first.close(); // the node restarts: the tokens it issued are gone
      Map<String, Object> samePort = new java.util.HashMap<>(properties);
      samePort.put("quiver.port", port);
      try (TestNode second = TestNode.start(Map.of("t", file.toString()), samePort)) {
        assertThatThrownBy(client::datasets)
            .as("the forgotten token is refused once")
            .satisfies(e -> assertStatus(e, FlightStatusCode.UNAUTHENTICATED));
        assertThat(client.datasets()).extracting(d -> d.name()).containsExactly("t");
      }
    }
  }

  @Test
  void aWrongOrMissingCredentialIsUnauthenticatedWithoutSayingWhichPart() throws Exception {
    try (TestCluster cluster = cluster()) {
      List<String> messages = new ArrayList<>();
      for (Credentials wrong :
          List.of(new Credentials("ana", "wrong"), new Credentials("nobody", ANA.password()))) {
        try (QuiverClient client = client(cluster, 0, wrong)) {
          assertThatThrownBy(client::datasets)
              .isInstanceOf(FlightRuntimeException.class)
              .satisfies(e -> assertStatus(e, FlightStatusCode.UNAUTHENTICATED))
              .satisfies(e -> messages.add(e.getMessage()));
        }
      }
      assertThat(messages.get(0)).isEqualTo(messages.get(1));
      try (QuiverClient anonymous =
          QuiverClient.connect(
              tls(cluster, 0), new RootAllocator(), 4, Tls.trusting(certificates.ca()))) {
        assertThatThrownBy(anonymous::datasets)
            .satisfies(e -> assertStatus(e, FlightStatusCode.UNAUTHENTICATED));
      }
      try (QuiverClient client = client(cluster, 0, ANA);
          BatchStream stream = client.query("SELECT COUNT(*) FROM t")) {
        assertThat(AggregateRows.of(stream)).containsExactly("900000");
      }
    }
  }

  @Test
  void aUserCallingWhatOnlyNodesMayCallIsDenied() throws Exception {
    try (TestCluster cluster = cluster();
        BufferAllocator allocator = new RootAllocator();
        QuiverClient client = client(cluster, 0, ANA)) {
      InternalCalls.assertAllDenied(client.flightClient(), allocator, "cluster's own nodes");
      try (BatchStream stream = client.query("SELECT COUNT(*) FROM t")) {
        assertThat(AggregateRows.of(stream)).containsExactly("900000");
      }
    }
  }

  @Test
  void ticketsAreSignedForTheirUserAndRefusedEditedOrInOtherHands() throws Exception {
    try (TestCluster cluster = cluster();
        QuiverClient ana = client(cluster, 0, ANA);
        QuiverClient bob = client(cluster, 0, new Credentials("bob", "another one"))) {
      FlightInfo info =
          ana.flightClient()
              .getInfo(
                  FlightDescriptor.command(
                      "SELECT a FROM t WHERE a < 10".getBytes(StandardCharsets.UTF_8)));
      Ticket ticket = info.getEndpoints().get(0).getTicket();
      // Ana reads her ticket; Bob cannot read it, nor cancel her query with it.
      assertThat(rows(ana.flightClient(), ticket)).isPositive();
      assertThatThrownBy(() -> rows(bob.flightClient(), ticket))
          .hasMessageContaining("issued to another user")
          .satisfies(e -> assertStatus(e, FlightStatusCode.UNAUTHORIZED));
      assertThatThrownBy(
              () -> bob.flightClient().cancelFlightInfo(new CancelFlightInfoRequest(info)))
          .hasMessageContaining("issued to another user")
          .satisfies(e -> assertStatus(e, FlightStatusCode.UNAUTHORIZED));
      // A ticket edited by hand, even by its own user, is refused before anything reads it.
      byte[] edited = ticket.getBytes().clone();
      edited[edited.length - 2] ^= 1;
      assertThatThrownBy(() -> rows(ana.flightClient(), new Ticket(edited)))
          .hasMessageContaining("signature does not match")
          .satisfies(e -> assertStatus(e, FlightStatusCode.INVALID_ARGUMENT));
      // So is a ticket a client made up without the cluster's signature.
      Ticket unsigned = Tickets.encode(Tickets.decode(unwrapped(ticket)));
      assertThatThrownBy(() -> rows(ana.flightClient(), unsigned))
          .hasMessageContaining("not one this cluster issued")
          .satisfies(e -> assertStatus(e, FlightStatusCode.UNAUTHORIZED));
      // Tickets signed on node 0 are read on node 2, where their endpoints may point.
      try (QuiverClient anaOnTwo = client(cluster, 2, ANA)) {
        assertThat(rows(anaOnTwo.flightClient(), ticket)).isPositive();
      }
    }
  }

  @Test
  void pollDescriptorsAreSignedForTheirUser() throws Exception {
    try (TestCluster cluster = cluster();
        QuiverClient ana = client(cluster, 0, ANA);
        QuiverClient bob = client(cluster, 0, new Credentials("bob", "another one"))) {
      org.apache.arrow.flight.PollInfo first =
          ana.flightClient()
              .pollInfo(FlightDescriptor.command(SQL.getBytes(StandardCharsets.UTF_8)));
      FlightDescriptor next = first.getFlightDescriptor().orElseThrow();
      byte[] command = next.getCommand();
      assertThat(new String(command, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("QSIG");
      // Bob can neither poll Ana's query nor poll it by its id without the signature.
      assertThatThrownBy(() -> bob.flightClient().pollInfo(next))
          .hasMessageContaining("issued to another user")
          .satisfies(e -> assertStatus(e, FlightStatusCode.UNAUTHORIZED));
      String inner = new String(unwrapped(new Ticket(command)), StandardCharsets.UTF_8);
      assertThatThrownBy(
              () ->
                  bob.flightClient()
                      .pollInfo(FlightDescriptor.command(inner.getBytes(StandardCharsets.UTF_8))))
          .hasMessageContaining("not one this cluster issued")
          .satisfies(e -> assertStatus(e, FlightStatusCode.UNAUTHORIZED));
      // Ana polls to the end and reads the answer.
      org.apache.arrow.flight.PollInfo poll = ana.flightClient().pollInfo(next);
      while (poll.getFlightDescriptor().isPresent()) {
        poll = ana.flightClient().pollInfo(poll.getFlightDescriptor().get());
      }
      long rows = 0;
      for (var endpoint : poll.getFlightInfo().getEndpoints()) {
        int node =
            endpoint.getLocations().isEmpty()
                ? 0
                : indexOf(cluster, endpoint.getLocations().get(0));
        try (QuiverClient reader = client(cluster, node, ANA)) {
          rows += rows(reader.flightClient(), endpoint.getTicket());
        }
      }
      assertThat(rows).isEqualTo(expected.size());
    }
  }

  private static int indexOf(TestCluster cluster, org.apache.arrow.flight.Location location) {
    for (int n = 0; n < cluster.nodes().size(); n++) {
      if (cluster.uri(n).getPort() == location.getUri().getPort()) {
        return n;
      }
    }
    throw new AssertionError("no node at " + location);
  }

  @Test
  void preparedStatementHandlesAreSignedForTheirUserOnEveryNode() throws Exception {
    try (TestCluster cluster = cluster();
        QuiverClient ana = client(cluster, 0, ANA);
        QuiverClient anaOnTwo = client(cluster, 2, ANA);
        QuiverClient bob = client(cluster, 1, new Credentials("bob", "another one"))) {
      var request =
          org.apache.arrow.flight.sql.impl.FlightSql.ActionCreatePreparedStatementRequest
              .newBuilder()
              .setQuery("SELECT COUNT(*) FROM t")
              .build();
      var results =
          ana.flightClient()
              .doAction(
                  new Action(
                      "CreatePreparedStatement",
                      com.google.protobuf.Any.pack(request).toByteArray()));
      com.google.protobuf.ByteString handle =
          com.google.protobuf.Any.parseFrom(results.next().getBody())
              .unpack(
                  org.apache.arrow.flight.sql.impl.FlightSql.ActionCreatePreparedStatementResult
                      .class)
              .getPreparedStatementHandle();
      results.forEachRemaining(r -> {});
      // Ana executes her handle on another node; Bob cannot use it; an edited one is refused.
      assertThat(prepared(anaOnTwo, handle).getEndpoints()).isNotEmpty();
      assertThatThrownBy(() -> prepared(bob, handle))
          .hasMessageContaining("issued to another user")
          .satisfies(e -> assertStatus(e, FlightStatusCode.UNAUTHORIZED));
      byte[] edited = handle.toByteArray();
      edited[edited.length - 3] ^= 1;
      assertThatThrownBy(() -> prepared(ana, com.google.protobuf.ByteString.copyFrom(edited)))
          .satisfies(e -> assertStatus(e, FlightStatusCode.INVALID_ARGUMENT));
    }
  }

  private static FlightInfo prepared(QuiverClient client, com.google.protobuf.ByteString handle) {
    var command =
        org.apache.arrow.flight.sql.impl.FlightSql.CommandPreparedStatementQuery.newBuilder()
            .setPreparedStatementHandle(handle)
            .build();
    return client
        .flightClient()
        .getInfo(FlightDescriptor.command(com.google.protobuf.Any.pack(command).toByteArray()));
  }

  /** The ticket a signed one carries: its last bytes, after magic, header, user and mac. */
  private static byte[] unwrapped(Ticket signed) {
    java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(signed.getBytes());
    bytes.position(4 + 1 + 8);
    int user = Short.toUnsignedInt(bytes.getShort());
    bytes.position(bytes.position() + user + 32);
    byte[] inner = new byte[bytes.remaining()];
    bytes.get(inner);
    return inner;
  }

  private static long rows(FlightClient flight, Ticket ticket) throws Exception {
    long rows = 0;
    try (FlightStream stream = flight.getStream(ticket)) {
      while (stream.next()) {
        rows += stream.getRoot().getRowCount();
      }
    }
    return rows;
  }

  private static void assertStatus(Throwable e, FlightStatusCode code) {
    assertThat(((FlightRuntimeException) e).status().code()).as(e.getMessage()).isEqualTo(code);
  }
}
