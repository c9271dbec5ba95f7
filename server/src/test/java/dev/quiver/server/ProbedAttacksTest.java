package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.client.Credentials;
import dev.quiver.client.QuiverClient;
import dev.quiver.client.SharedResult;
import dev.quiver.client.Tls;
import dev.quiver.server.ticket.GatheredTicket;
import dev.quiver.server.ticket.Tickets;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.flight.CancelFlightInfoRequest;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * The attacks a probe of an authenticated cluster found, each run as it was written: an
 * authenticated user who is not a node, with grants and signed tickets on, tries to make a node
 * call an address of theirs, to cancel another user's stream, and to read what is not theirs
 * through shared-memory results. Each gets nothing, and the nodes go on serving.
 */
class ProbedAttacksTest {
  static final Credentials ANA = new Credentials("ana", "ana's password");
  static final Credentials BOB = new Credentials("bob", "bob's password");
  static final long BIG_ROWS = 4_000_000;

  @TempDir static Path dir;
  static Path users;

  @BeforeAll
  static void writeData() throws Exception {
    try (DuckDb duckdb = new DuckDb()) {
      duckdb.writeParquet(
          "SELECT i AS id, i * 7 AS salary FROM range(100) r(i)",
          dir.resolve("salaries.parquet"),
          "");
      duckdb.writeParquet(
          "SELECT i AS id, hash(i) AS h FROM range(" + BIG_ROWS + ") r(i)",
          dir.resolve("big.parquet"),
          "");
    }
    BCryptPasswordEncoder bcrypt = new BCryptPasswordEncoder(4);
    users = dir.resolve("users");
    Files.writeString(
        users,
        "ana:" + bcrypt.encode(ANA.password()) + "\nbob:" + bcrypt.encode(BOB.password()) + "\n");
  }

  /** Two nodes with users, the cluster secret and a grant: salaries is bob's alone. */
  private static TestCluster cluster(Map<String, Object> extra) {
    Map<String, String> datasets =
        Map.of(
            "salaries", dir.resolve("salaries.parquet").toString(),
            "big", dir.resolve("big.parquet").toString());
    Map<String, Object> properties = new java.util.HashMap<>(extra);
    properties.put("quiver.auth-users-file", users.toString());
    properties.put("quiver.auth-cluster-secret", "the secret only the nodes know");
    properties.put("quiver.auth-datasets.salaries", "bob");
    return TestCluster.start(List.of(datasets, datasets), properties);
  }

  private static QuiverClient client(TestCluster cluster, int node, Credentials user) {
    return QuiverClient.connect(cluster.uri(node), new RootAllocator(), 4, Tls.SYSTEM, user);
  }

  /** A real socket of the attacker's that counts the connections it is offered. */
  static final class Listener implements AutoCloseable {
    final ServerSocket socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    final AtomicInteger connections = new AtomicInteger();
    final Thread acceptor;

    Listener() throws IOException {
      socket.setSoTimeout(100);
      acceptor =
          new Thread(
              () -> {
                while (!socket.isClosed()) {
                  try (Socket accepted = socket.accept()) {
                    connections.incrementAndGet();
                  } catch (SocketTimeoutException e) {
                    // Poll again.
                  } catch (IOException e) {
                    return;
                  }
                }
              },
              "attacker-listener");
      acceptor.start();
    }

    Location location() {
      return Location.forGrpcInsecure("127.0.0.1", socket.getLocalPort());
    }

    /** Connections offered so far, once any the node had started are surely accepted. */
    int connections() throws InterruptedException {
      acceptor.join(300); // the acceptor polls every 100 ms; it does not end while open
      return connections.get();
    }

    @Override
    public void close() throws Exception {
      socket.close();
      acceptor.join();
    }
  }

  /** {@code info} with every endpoint moved to {@code location}. */
  private static FlightInfo pointedAt(FlightInfo info, Location location) {
    List<FlightEndpoint> endpoints = new ArrayList<>();
    for (FlightEndpoint endpoint : info.getEndpoints()) {
      endpoints.add(new FlightEndpoint(endpoint.getTicket(), location));
    }
    return new FlightInfo(
        info.getSchemaOptional().orElse(null), info.getDescriptor(), endpoints, -1, -1);
  }

  @Test
  void aCancelNamingAnAddressOutsideTheClusterIsRefusedAndNothingConnectsThere() throws Exception {
    try (TestCluster cluster = cluster(Map.of());
        QuiverClient ana = client(cluster, 0, ANA);
        Listener attacker = new Listener()) {
      FlightInfo mine = ana.flightClient().getInfo(FlightDescriptor.path("big"));
      FlightInfo forged = pointedAt(mine, attacker.location());

      assertThatThrownBy(
              () -> ana.flightClient().cancelFlightInfo(new CancelFlightInfoRequest(forged)))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHORIZED))
          .hasMessageContaining(attacker.location().getUri().toString())
          .hasMessageContaining("not a node of this cluster");
      FlightSqlClient sql = new FlightSqlClient(ana.flightClient());
      FlightInfo statement = sql.execute("SELECT id FROM big WHERE id < 10");
      assertThatThrownBy(() -> sql.cancelQuery(pointedAt(statement, attacker.location())))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHORIZED))
          .hasMessageContaining("not a node of this cluster");

      assertThat(attacker.connections()).as("connections the nodes made to the attacker").isZero();
      try (dev.quiver.client.BatchStream count = ana.query("SELECT COUNT(*) FROM big")) {
        assertThat(AggregateRows.of(count)).as("the nodes still answer").containsExactly("8000000");
      }
    }
  }

  @Test
  void aForgedGatheredTicketNamingAnOutsideAddressIsNeverFollowed() throws Exception {
    // Without authentication tickets are not signed, so a client can write any ticket it likes.
    Map<String, String> datasets = Map.of("big", dir.resolve("big.parquet").toString());
    try (TestCluster cluster = TestCluster.start(List.of(datasets, datasets), Map.of());
        QuiverClient client = QuiverClient.connect(cluster.uri(0));
        Listener attacker = new Listener()) {
      FlightInfo info =
          client
              .flightClient()
              .getInfo(
                  FlightDescriptor.command(
                      "SELECT id FROM big ORDER BY id LIMIT 10".getBytes(StandardCharsets.UTF_8)));
      GatheredTicket issued =
          Tickets.decode(info.getEndpoints().get(0).getTicket().getBytes(), GatheredTicket.class);
      List<List<String>> redirected = new ArrayList<>();
      for (List<String> part : issued.parts()) {
        redirected.add(List.of(part.get(0), attacker.location().getUri().toString()));
      }
      Ticket forged = Tickets.encode(new GatheredTicket(redirected));

      assertThatThrownBy(
              () -> {
                try (FlightStream stream = client.flightClient().getStream(forged)) {
                  while (stream.next()) {
                    // Drain.
                  }
                }
              })
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHORIZED))
          .hasMessageContaining("not a node of this cluster");
      assertThat(attacker.connections()).isZero();
    }
  }

  @Test
  void cancellingOnesOwnFlightInfoLeavesAnotherUsersStreamOfTheSameDatasetRunning()
      throws Exception {
    try (TestCluster cluster = cluster(Map.of());
        QuiverClient ana = client(cluster, 1, ANA);
        QuiverClient bob = client(cluster, 0, BOB);
        QuiverClient anaOnNode0 = client(cluster, 0, ANA)) {
      FlightInfo bobs = bob.flightClient().getInfo(FlightDescriptor.path("big"));
      FlightEndpoint onNode0 =
          bobs.getEndpoints().stream()
              .filter(e -> e.getLocations().get(0).getUri().getPort() == cluster.uri(0).getPort())
              .findFirst()
              .orElseThrow();
      FlightInfo anas = ana.flightClient().getInfo(FlightDescriptor.path("big"));
      FlightEndpoint anasOnNode0 =
          anas.getEndpoints().stream()
              .filter(e -> e.getLocations().get(0).getUri().getPort() == cluster.uri(0).getPort())
              .findFirst()
              .orElseThrow();
      try (FlightStream bobsStream = bob.flightClient().getStream(onNode0.getTicket());
          FlightStream anasStream = anaOnNode0.flightClient().getStream(anasOnNode0.getTicket())) {
        assertThat(bobsStream.next()).isTrue(); // held open: the node waits on backpressure
        long bobsRows = bobsStream.getRoot().getRowCount();
        assertThat(anasStream.next()).isTrue();

        // Ana cancels her own FlightInfo through node 1, which forwards to node 0.
        ana.flightClient().cancelFlightInfo(new CancelFlightInfoRequest(anas));
        // Bob's FlightInfo, had it leaked to Ana, cancels nothing: node 1 opens every ticket for
        // its caller before it forwards any.
        assertThatThrownBy(
                () -> ana.flightClient().cancelFlightInfo(new CancelFlightInfoRequest(bobs)))
            .isInstanceOfSatisfying(
                FlightRuntimeException.class,
                e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHORIZED))
            .hasMessageContaining("issued to another user");

        while (bobsStream.next()) {
          bobsRows += bobsStream.getRoot().getRowCount();
        }
        assertThat(bobsRows).as("rows bob read of his endpoint").isEqualTo(rows(bob, onNode0));
        assertThatThrownBy(
                () -> {
                  while (anasStream.next()) {
                    // Drain: her own stream stops.
                  }
                })
            .isInstanceOfSatisfying(
                FlightRuntimeException.class,
                e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.CANCELLED));
      }
    }
  }

  private static long rows(QuiverClient client, FlightEndpoint endpoint) throws Exception {
    long rows = 0;
    try (FlightStream stream = client.flightClient().getStream(endpoint.getTicket())) {
      while (stream.next()) {
        rows += stream.getRoot().getRowCount();
      }
    }
    return rows;
  }

  @Test
  void sharedMemoryResultsKeepTheCallersGrantsAndBelongToTheirUser(@TempDir Path shm)
      throws Exception {
    try (TestCluster cluster = cluster(Map.of("quiver.shm-directory", shm));
        QuiverClient ana = client(cluster, 0, ANA);
        QuiverClient bob = client(cluster, 0, BOB)) {
      assertThatThrownBy(() -> ana.sharedQuery("SELECT * FROM salaries"))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHORIZED))
          .hasMessageContaining("may not read dataset 'salaries'");

      String nonce =
          Files.readString(Path.of(bob.action("shm-info").get("nonceFile").asText())).trim();
      String id =
          bob.action("shm-query", Map.of("sql", "SELECT id, salary FROM salaries", "nonce", nonce))
              .get("id")
              .asText();
      for (String action : List.of("shm-get", "shm-release")) {
        assertThatThrownBy(() -> ana.action(action, Map.of("id", id, "nonce", nonce)))
            .as(action + " of bob's object by ana")
            .isInstanceOfSatisfying(
                FlightRuntimeException.class,
                e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND));
      }
      assertThatThrownBy(() -> bob.action("shm-release", Map.of("id", id)))
          .as("shm-release without the nonce")
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHORIZED));
      try (SharedResult mine = bob.sharedQuery("SELECT id, salary FROM salaries")) {
        assertThat(mine.rows()).isEqualTo(200); // both nodes serve the file
      }
    }
  }

  @Test
  void errorsNameTheFileThatFailedButNotWhereTheNodeKeepsIt() throws Exception {
    Path broken =
        Files.createDirectories(dir.resolve("kept/here/by/the/node")).resolve("x.parquet");
    try (DuckDb duckdb = new DuckDb()) {
      duckdb.writeParquet("SELECT i AS id, i * 3 AS a FROM range(300000) r(i)", broken, "");
    }
    try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(broken.toFile(), "rw")) {
      file.seek(file.length() / 2); // inside the compressed pages; the footer stays intact
      byte[] junk = new byte[4096];
      java.util.Arrays.fill(junk, (byte) 0x5A);
      file.write(junk);
    }
    try (TestNode node =
            TestNode.start(
                Map.of("broken", broken.toString()),
                Map.of("quiver.auth-users-file", users.toString()));
        QuiverClient ana =
            QuiverClient.connect(node.uri(), new RootAllocator(), 4, Tls.SYSTEM, ANA)) {
      assertThatThrownBy(
              () -> {
                try (dev.quiver.client.BatchStream sum =
                    ana.query("SELECT SUM(a), SUM(id) FROM broken")) {
                  AggregateRows.of(sum);
                }
              })
          .isInstanceOf(FlightRuntimeException.class)
          .hasMessageContaining("x.parquet")
          .hasMessageNotContaining(dir.toString())
          .hasMessageNotContaining("kept/here");
    }
  }

  @Test
  void sharedMemoryResultsWorkWithMutualTlsAndAuthentication(@TempDir Path shm) throws Exception {
    TestCertificates certificates =
        TestCertificates.create(Files.createDirectories(dir.resolve("certs-" + System.nanoTime())));
    try (TestCluster cluster =
            certificates.cluster(
                dir.resolve("salaries.parquet"),
                Map.of(
                    "quiver.auth-users-file",
                    users.toString(),
                    "quiver.auth-cluster-secret",
                    "the secret only the nodes know",
                    "quiver.shm-directory",
                    shm));
        QuiverClient ana =
            QuiverClient.connect(
                cluster.node(0).node().localLocation().getUri(),
                new RootAllocator(),
                4,
                Tls.trusting(certificates.ca()),
                ANA);
        SharedResult result = ana.sharedQuery("SELECT COUNT(*) FROM t")) {
      assertThat(AggregateRows.of(result))
          .containsExactly(String.valueOf(100 * cluster.nodes().size()));
    }
  }
}
