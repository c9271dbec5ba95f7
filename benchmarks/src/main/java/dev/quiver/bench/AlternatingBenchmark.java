package dev.quiver.bench;

import dev.quiver.client.BatchStream;
import dev.quiver.client.QuiverClient;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Two builds (or two settings) side by side: the benchmark's aggregation queries sent to servers
 * that are already running, in alternation (a, b, a, b, ...), after untimed runs, so that both see
 * the same machine at the same moments. Prints each case's median wall time with its minimum and
 * maximum. How a change was shown to cost nothing (docs/benchmarks.md, issue 28):
 *
 * <pre>
 * AlternatingBenchmark WARMUPS ROUNDS before=grpc://127.0.0.1:9101 after=grpc://127.0.0.1:9201
 *     [sql="SELECT ..."]...
 * </pre>
 *
 * The servers serve the benchmark's data as dataset {@code bench}; {@code sql=} arguments replace
 * the built-in queries.
 */
public final class AlternatingBenchmark {
  private static final List<String> QUERIES =
      List.of(
          "SELECT g, SUM(m) FROM bench GROUP BY g",
          "SELECT g, SUM(m) FROM bench WHERE t >= 9500 AND t < 10500 GROUP BY g",
          "SELECT g2, SUM(m) FROM bench GROUP BY g2",
          "SELECT COUNT(*) FROM bench",
          "SELECT g, SUM(m) AS s FROM bench GROUP BY g ORDER BY s DESC LIMIT 5");

  private AlternatingBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println(
          "usage: AlternatingBenchmark WARMUPS ROUNDS label=grpc://host:port [label=...]...");
      System.exit(2);
    }
    int warmups = Integer.parseInt(args[0]);
    int rounds = Integer.parseInt(args[1]);
    Map<String, URI> servers = new LinkedHashMap<>();
    List<String> queries = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      String[] labelled = args[i].split("=", 2);
      if (labelled[0].equals("sql")) {
        queries.add(labelled[1]);
      } else {
        servers.put(labelled[0], URI.create(labelled[1]));
      }
    }
    for (String sql : queries.isEmpty() ? QUERIES : queries) {
      // The 1M-group query takes seconds: fewer untimed runs.
      int untimed = sql.contains("g2") ? Math.max(3, warmups / 8) : warmups;
      Map<String, List<Long>> millis = new LinkedHashMap<>();
      for (Map.Entry<String, URI> server : servers.entrySet()) {
        millis.put(server.getKey(), new ArrayList<>());
        for (int i = 0; i < untimed; i++) {
          run(server.getValue(), sql);
        }
      }
      for (int r = 0; r < rounds; r++) {
        for (Map.Entry<String, URI> server : servers.entrySet()) {
          millis.get(server.getKey()).add(run(server.getValue(), sql));
        }
      }
      for (Map.Entry<String, List<Long>> times : millis.entrySet()) {
        List<Long> sorted = new ArrayList<>(times.getValue());
        Collections.sort(sorted);
        System.out.printf(
            "%-12s %-72s median %,6d ms (%,d-%,d, n=%d)%n",
            times.getKey(),
            sql,
            sorted.get(sorted.size() / 2),
            sorted.get(0),
            sorted.get(sorted.size() - 1),
            sorted.size());
      }
    }
  }

  private static long run(URI server, String sql) throws Exception {
    long started = System.nanoTime();
    long rows = 0;
    try (QuiverClient client = QuiverClient.connect(server);
        BatchStream stream = client.query(sql)) {
      while (stream.next()) {
        rows += stream.root().getRowCount();
      }
    }
    if (rows == 0) {
      throw new IllegalStateException(server + " answered no rows to " + sql);
    }
    return (System.nanoTime() - started) / 1_000_000;
  }
}
