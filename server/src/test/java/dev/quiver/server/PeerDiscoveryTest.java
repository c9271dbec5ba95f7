package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.client.BatchStream;
import dev.quiver.client.QuiverClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.Location;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Peers from DNS: three nodes on 127.0.0.2, .3 and .4 share one port, as pods share theirs, and
 * find each other through the name {@code quiver.test}, whose records the test controls through the
 * JDK's hosts-file resolver (this test runs in a JVM of its own that reads names from {@code
 * quiver.test.hosts-file}). A node added to the name joins the next query; a node removed leaves.
 */
class PeerDiscoveryTest {
  @TempDir Path dir;

  @Test
  void nodesJoinAndLeaveAsTheNameChanges() throws Exception {
    Path hosts = Path.of(System.getProperty("quiver.test.hosts-file"));
    writeHosts(hosts, "a", "b");
    int port = freePortOnAll();
    List<TestNode> nodes = new ArrayList<>();
    try (DuckDb duckdb = new DuckDb()) {
      for (int n = 0; n < 3; n++) {
        Path file = dir.resolve("node-" + n + ".parquet");
        duckdb.writeParquet(
            "SELECT i AS id FROM range(" + n * 1000 + ", " + (n + 1) * 1000 + ") r(i)", file, "");
        String name = String.valueOf((char) ('a' + n));
        nodes.add(
            TestNode.start(
                Map.of("t", file.toString()),
                Map.of(
                    "quiver.host",
                    "127.0.0." + (n + 2),
                    "quiver.port",
                    port,
                    "quiver.advertise",
                    "grpc://node-" + name + ".test:" + port,
                    "quiver.peers-dns",
                    "quiver.test",
                    "quiver.peers-dns-interval",
                    "100ms")));
      }
    }
    try {
      URI a = URI.create("grpc://127.0.0.2:" + port);
      awaitPeers(nodes.get(0), "node-b.test");
      assertThat(count(a)).isEqualTo(2000);

      writeHosts(hosts, "a", "b", "c");
      awaitPeers(nodes.get(0), "node-b.test", "node-c.test");
      assertThat(count(a)).isEqualTo(3000);
      awaitPeers(nodes.get(2), "node-a.test", "node-b.test");

      writeHosts(hosts, "a", "c");
      awaitPeers(nodes.get(0), "node-c.test");
      assertThat(count(a)).isEqualTo(2000);
      assertThat(sum(a)).isEqualTo(sumOf(0, 1000) + sumOf(2000, 3000));
    } finally {
      for (TestNode node : nodes) {
        node.close();
      }
    }
  }

  /** The name quiver.test lists the given nodes; every node also has its own name. */
  private static void writeHosts(Path hosts, String... listed) throws IOException {
    StringBuilder text = new StringBuilder("127.0.0.1 localhost\n");
    for (int n = 0; n < 3; n++) {
      String name = String.valueOf((char) ('a' + n));
      text.append("127.0.0.").append(n + 2).append(" node-").append(name).append(".test");
      if (List.of(listed).contains(name)) {
        text.append(" quiver.test");
      }
      text.append('\n');
    }
    // The resolver re-reads the file when its modification time changes.
    Path staging = hosts.resolveSibling(hosts.getFileName() + ".new");
    Files.writeString(staging, text);
    Files.move(staging, hosts, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    hosts.toFile().setLastModified(System.currentTimeMillis() + Files.size(hosts));
  }

  private static void awaitPeers(TestNode node, String... hosts) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        node.node().cluster().peers().stream()
                            .map(Location::getUri)
                            .map(URI::getHost)
                            .toList())
                    .containsExactlyInAnyOrder(hosts));
  }

  private static int freePortOnAll() throws IOException {
    for (int attempt = 0; attempt < 20; attempt++) {
      int port;
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
        port = socket.getLocalPort();
      }
      if (free("127.0.0.3", port) && free("127.0.0.4", port)) {
        return port;
      }
    }
    throw new IllegalStateException("No port free on 127.0.0.2, .3 and .4");
  }

  private static boolean free(String host, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static long sumOf(long from, long to) {
    return (from + to - 1) * (to - from) / 2;
  }

  private static long count(URI uri) throws InterruptedException {
    return single(uri, "SELECT COUNT(*) FROM t");
  }

  private static long sum(URI uri) throws InterruptedException {
    return single(uri, "SELECT SUM(id) FROM t");
  }

  private static long single(URI uri, String sql) throws InterruptedException {
    try (QuiverClient client = QuiverClient.connect(uri);
        BatchStream stream = client.query(sql)) {
      return Long.parseLong(AggregateRows.of(stream).get(0));
    }
  }
}
