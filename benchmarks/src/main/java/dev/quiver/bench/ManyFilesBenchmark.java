package dev.quiver.bench;

import dev.quiver.client.BatchStream;
import dev.quiver.client.QuiverClient;
import dev.quiver.server.flight.FlightNode;
import io.micronaut.context.ApplicationContext;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;

/**
 * A dataset of 10,000 small files (one per Hive partition, 100 rows each, written by DuckDB): how
 * long a node takes to list them and read every footer before it serves, the heap the catalog then
 * holds, and the first and later answers, beside DuckDB over the same files.
 *
 * <p>{@code ManyFilesBenchmark [data-dir]}
 */
public final class ManyFilesBenchmark {
  static final int FILES = 10_000;

  private ManyFilesBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "data/bench").toAbsolutePath().resolve("many");
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:")) {
      generate(duckdb, dir);
      measure(duckdb, dir, false);
      measure(duckdb, dir, true);
    }
  }

  /** Starts a node over the files (footers eager or lazy) and times its answers. */
  private static void measure(Connection duckdb, Path dir, boolean lazy) throws Exception {
    long heapBefore = usedHeap();
    long started = System.nanoTime();
    try (ApplicationContext context =
        ApplicationContext.run(
            Map.of(
                "quiver.host",
                "127.0.0.1",
                "quiver.port",
                0,
                "quiver.metrics-port",
                -1,
                "quiver.datasets.many",
                dir.toString(),
                "quiver.lazy-footers",
                lazy))) {
      double startMs = (System.nanoTime() - started) / 1e6;
      long catalogHeap = usedHeap() - heapBefore;
      int files =
          context.getBean(dev.quiver.server.catalog.Catalog.class).require("many").files().size();
      URI uri = URI.create("grpc://127.0.0.1:" + context.getBean(FlightNode.class).port());
      String all = "SELECT COUNT(*), SUM(v) FROM many";
      String one = "SELECT COUNT(*), SUM(v) FROM many WHERE part = 4242";
      String parquet = "read_parquet('" + dir + "/*/*.parquet', hive_partitioning = true)";
      try (QuiverClient client = QuiverClient.connect(uri)) {
        double first = time(() -> rows(client, all));
        double later = median(() -> rows(client, all));
        double pruned = median(() -> rows(client, one));
        double duckAll = median(() -> duckDb(duckdb, all.replace("many", parquet)));
        double duckOne = median(() -> duckDb(duckdb, one.replace("many", parquet)));
        System.out.printf(
            Locale.ROOT,
            "%n%,d files, %s footers: node serving after %.0f ms, catalog heap %.1f MB%n",
            files,
            lazy ? "lazy" : "eager",
            startMs,
            catalogHeap / 1e6);
        System.out.printf(
            Locale.ROOT, "%-38s %12s %12s %8s%n", "case", "quiver ms", "duckdb ms", "ratio");
        System.out.printf(
            Locale.ROOT, "%-38s %12.1f %12s %8s%n", "first query, all files", first, "", "");
        System.out.printf(
            Locale.ROOT,
            "%-38s %12.1f %12.1f %8.2f%n",
            "all files (median of 5)",
            later,
            duckAll,
            later / duckAll);
        System.out.printf(
            Locale.ROOT,
            "%-38s %12.1f %12.1f %8.2f%n",
            "one partition (median of 5)",
            pruned,
            duckOne,
            pruned / duckOne);
      }
    }
  }

  /** 10,000 partitions of 100 rows, one file each; kept between runs. */
  static void generate(Connection duckdb, Path dir) throws Exception {
    Path done = dir.resolve("_generated");
    if (Files.exists(done)) {
      return;
    }
    try (Statement statement = duckdb.createStatement()) {
      statement.execute("SET threads TO 1"); // one file per partition, not one per thread
      statement.execute(
          // Rows of one partition together: DuckDB keeps at most 100 partition files open, so
          // scattered partitions would be written in several files each.
          "COPY (SELECT i AS id, i // 100 AS part, i * 0.5 AS v FROM range("
              + FILES * 100
              + ") r(i)) TO '"
              + dir
              + "' (FORMAT PARQUET, PARTITION_BY (part), OVERWRITE_OR_IGNORE)");
    }
    Files.writeString(done, "");
    try (Statement statement = duckdb.createStatement()) {
      statement.execute("SET threads TO 2");
    }
  }

  interface Timed {
    void run() throws Exception;
  }

  private static double time(Timed timed) throws Exception {
    long start = System.nanoTime();
    timed.run();
    return (System.nanoTime() - start) / 1e6;
  }

  private static double median(Timed timed) throws Exception {
    double[] ms = new double[5];
    for (int i = 0; i < ms.length; i++) {
      ms[i] = time(timed);
    }
    java.util.Arrays.sort(ms);
    return ms[ms.length / 2];
  }

  private static void rows(QuiverClient client, String sql) throws InterruptedException {
    try (BatchStream stream = client.query(sql)) {
      while (stream.next()) {
        if (stream.root().getRowCount() != 1) {
          throw new IllegalStateException(sql + " gave " + stream.root().getRowCount() + " rows");
        }
      }
    }
  }

  private static void duckDb(Connection duckdb, String sql) throws Exception {
    try (Statement statement = duckdb.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      while (rs.next()) {
        rs.getLong(1);
      }
    }
  }

  private static long usedHeap() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
