package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import com.sun.net.httpserver.HttpServer;
import dev.quiver.client.BatchStream;
import dev.quiver.client.QuiverClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A distributed aggregation on three nodes is one trace: the coordinator's call, the fragment calls
 * it makes to every node and the exchanges between them, each node's spans sent by OTLP over HTTP
 * to a receiver in the test, which reads the protobuf requests as a collector would.
 */
class TracingTest {
  @TempDir Path dir;

  /** A received span: which node sent it, its trace, its own and its parent's ids, its name. */
  record ReceivedSpan(String node, String trace, String id, String parent, String name) {}

  @Test
  void aShuffledAggregationOnThreeNodesIsOneTraceWithSpansFromEveryNode() throws Exception {
    List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/v1/traces",
        exchange -> {
          spans.addAll(parse(exchange.getRequestBody().readAllBytes()));
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    receiver.start();
    List<Map<String, String>> datasets = new ArrayList<>();
    try (DuckDb duckdb = new DuckDb()) {
      for (int n = 0; n < 3; n++) {
        Path file = dir.resolve("part-" + n + ".parquet");
        duckdb.writeParquet(
            "SELECT i % 5000 AS k, i AS a FROM range("
                + n * 20000
                + ", "
                + (n + 1) * 20000
                + ") r(i)",
            file,
            "");
        datasets.add(Map.of("t", file.toString()));
      }
    }
    try {
      try (TestCluster cluster =
              TestCluster.start(
                  datasets,
                  Map.of(
                      "quiver.otlp-endpoint",
                      "http://127.0.0.1:" + receiver.getAddress().getPort(),
                      "quiver.otlp-export-delay",
                      "100ms",
                      "quiver.gather-threshold",
                      "1KB",
                      // Partitions stream to their owners as DoPuts (not through shared memory).
                      "quiver.descriptor-exchange",
                      false));
          QuiverClient client = QuiverClient.connect(cluster.uri(0));
          BatchStream stream = client.query("SELECT k, SUM(a) FROM t GROUP BY k")) {
        assertThat(AggregateRows.of(stream)).hasSize(5000);
      }
      // Closing the nodes flushed their spans.
    } finally {
      receiver.stop(0);
    }
    Map<String, List<ReceivedSpan>> traces =
        spans.stream().collect(Collectors.groupingBy(ReceivedSpan::trace));
    List<ReceivedSpan> query =
        traces.values().stream()
            .filter(t -> t.stream().map(ReceivedSpan::node).distinct().count() == 3)
            .findFirst()
            .orElseThrow(() -> new AssertionError("no trace spans three nodes: " + spans));
    Set<String> ids = query.stream().map(ReceivedSpan::id).collect(Collectors.toSet());
    List<ReceivedSpan> roots = query.stream().filter(s -> s.parent().isEmpty()).toList();
    assertThat(roots).as("one root: the coordinator's call").hasSize(1);
    assertThat(query)
        .as("every other span's parent is in the trace")
        .allMatch(s -> s.parent().isEmpty() || ids.contains(s.parent()));
    assertThat(query.stream().map(ReceivedSpan::name).collect(Collectors.toSet()))
        .contains("Flight DO_ACTION", "Flight DO_PUT");
  }

  /** Spans of an OTLP ExportTraceServiceRequest, read field by field. */
  private static List<ReceivedSpan> parse(byte[] body) throws IOException {
    List<ReceivedSpan> spans = new ArrayList<>();
    UnknownFieldSet request = UnknownFieldSet.parseFrom(body);
    for (ByteString resourceSpans : lengthDelimited(request, 1)) {
      UnknownFieldSet rs = UnknownFieldSet.parseFrom(resourceSpans);
      Map<String, String> attributes = new HashMap<>();
      for (ByteString resource : lengthDelimited(rs, 1)) {
        for (ByteString keyValue : lengthDelimited(UnknownFieldSet.parseFrom(resource), 1)) {
          UnknownFieldSet kv = UnknownFieldSet.parseFrom(keyValue);
          String key = lengthDelimited(kv, 1).get(0).toStringUtf8();
          List<ByteString> value = lengthDelimited(kv, 2);
          if (!value.isEmpty()) {
            List<ByteString> text = lengthDelimited(UnknownFieldSet.parseFrom(value.get(0)), 1);
            attributes.put(key, text.isEmpty() ? "" : text.get(0).toStringUtf8());
          }
        }
      }
      String node = attributes.getOrDefault("service.instance.id", "?");
      for (ByteString scopeSpans : lengthDelimited(rs, 2)) {
        for (ByteString span : lengthDelimited(UnknownFieldSet.parseFrom(scopeSpans), 2)) {
          UnknownFieldSet s = UnknownFieldSet.parseFrom(span);
          List<ByteString> parent = lengthDelimited(s, 4);
          spans.add(
              new ReceivedSpan(
                  node,
                  hex(lengthDelimited(s, 1).get(0)),
                  hex(lengthDelimited(s, 2).get(0)),
                  parent.isEmpty() ? "" : hex(parent.get(0)),
                  lengthDelimited(s, 5).get(0).toStringUtf8()));
        }
      }
    }
    return spans;
  }

  private static List<ByteString> lengthDelimited(UnknownFieldSet fields, int number) {
    return fields.hasField(number) ? fields.getField(number).getLengthDelimitedList() : List.of();
  }

  private static String hex(ByteString bytes) {
    return HexFormat.of().formatHex(bytes.toByteArray());
  }
}
