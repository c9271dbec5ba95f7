package dev.quiver.bench;

import static java.util.Objects.requireNonNull;

import com.sun.management.OperatingSystemMXBean;
import dev.quiver.client.BatchStream;
import dev.quiver.client.QuiverClient;
import dev.quiver.server.DuckDb;
import dev.quiver.server.flight.FlightNode;
import io.micronaut.context.ApplicationContext;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.flight.FlightRuntimeException;

/**
 * Named queries on one Quiver node (in this JVM, its Java client reading every batch) against
 * DuckDB's JDBC driver (2 threads, every row read through the ResultSet) over the same files. Each
 * query runs {@code warmups} times untimed per engine (the first printed as the cold time), then
 * {@code runs} times; the table gives medians of wall time and of process CPU time (the process's,
 * so it includes the other engine's idle threads), the ratio Quiver/DuckDB, their geometric mean
 * and totals over the queries both answer, the queries Quiver does not answer and why, and the
 * process's peak resident memory.
 */
final class EngineComparison {
  /** A query and the name it is printed under. */
  record Query(String name, String sql) {
    Query {
      requireNonNull(name, "name is null");
      requireNonNull(sql, "sql is null");
    }
  }

  private final QuiverClient client;
  private final DuckDb duckdb;
  private final int warmups;
  private final int runs;

  private EngineComparison(QuiverClient client, DuckDb duckdb, int warmups, int runs) {
    this.client = requireNonNull(client, "client is null");
    this.duckdb = requireNonNull(duckdb, "duckdb is null");
    if (warmups < 1 || runs < 1) {
      throw new IllegalArgumentException(
          "Cannot time with " + warmups + " warm-up runs and " + runs + " runs; both must be >= 1");
    }
    this.warmups = warmups;
    this.runs = runs;
  }

  /**
   * Starts a node serving {@code datasets} (name to location), runs {@code queries} on it and on
   * {@code duckdb}, and prints the table.
   */
  static void run(
      Map<String, String> datasets, DuckDb duckdb, List<Query> queries, int warmups, int runs)
      throws Exception {
    duckdb.execute("SET threads TO 2");
    Map<String, Object> properties = new HashMap<>();
    properties.put("quiver.host", "127.0.0.1");
    properties.put("quiver.port", 0);
    properties.put("quiver.metrics-port", 0);
    datasets.forEach((name, path) -> properties.put("quiver.datasets." + name, path));
    try (ApplicationContext context = ApplicationContext.run(properties)) {
      URI uri = URI.create("grpc://127.0.0.1:" + context.getBean(FlightNode.class).port());
      try (QuiverClient client = QuiverClient.connect(uri)) {
        new EngineComparison(client, duckdb, warmups, runs).compare(queries);
      }
    }
  }

  private void compare(List<Query> queries) throws Exception {
    System.out.printf(
        Locale.ROOT,
        "%n%d warm-up run(s) (the first is the cold column), then medians of %d%n",
        warmups,
        runs);
    System.out.printf(
        Locale.ROOT,
        "%-5s %10s %10s %10s %10s %10s %10s %8s %8s%n",
        "query",
        "quiver ms",
        "cpu ms",
        "cold ms",
        "duckdb ms",
        "cpu ms",
        "cold ms",
        "ratio",
        "rows");
    double logRatios = 0;
    int answered = 0;
    double quiverTotal = 0;
    double duckTotal = 0;
    Map<String, String> notAnswered = new LinkedHashMap<>();
    for (Query query : queries) {
      Timing duck = time(() -> (long) duckdb.query(query.sql()).size());
      Timing quiver;
      try {
        quiver = time(() -> quiver(query.sql()));
      } catch (FlightRuntimeException e) {
        notAnswered.put(query.name(), e.status().code() + ": " + e.getMessage());
        System.out.printf(
            Locale.ROOT,
            "%-5s %32s %10.1f %10.1f %10.1f %8s %8d%n",
            query.name(),
            "not answered",
            duck.wallMs(),
            duck.cpuMs(),
            duck.coldMs(),
            "",
            duck.rows());
        continue;
      }
      if (quiver.rows() != duck.rows()) {
        throw new IllegalStateException(
            query.name() + ": Quiver returned " + quiver.rows() + " rows, DuckDB " + duck.rows());
      }
      double ratio = quiver.wallMs() / duck.wallMs();
      logRatios += Math.log(ratio);
      answered++;
      quiverTotal += quiver.wallMs();
      duckTotal += duck.wallMs();
      System.out.printf(
          Locale.ROOT,
          "%-5s %10.1f %10.1f %10.1f %10.1f %10.1f %10.1f %7.2fx %8d%n",
          query.name(),
          quiver.wallMs(),
          quiver.cpuMs(),
          quiver.coldMs(),
          duck.wallMs(),
          duck.cpuMs(),
          duck.coldMs(),
          ratio,
          quiver.rows());
    }
    System.out.printf(
        Locale.ROOT,
        "%ntotal over the %d queries both answer: Quiver %.0f ms, DuckDB %.0f ms (%.2fx);"
            + " geometric mean of the ratios %.2fx; peak RSS of this process (Quiver and DuckDB)"
            + " %s%n",
        answered,
        quiverTotal,
        duckTotal,
        quiverTotal / duckTotal,
        Math.exp(logRatios / answered),
        peakRss());
    notAnswered.forEach(
        (name, why) ->
            System.out.printf(Locale.ROOT, "not answered by Quiver: %s %s%n", name, why));
  }

  /** Medians of {@code runs} timed runs after {@code warmups} untimed ones (the first is cold). */
  private record Timing(double wallMs, double cpuMs, double coldMs, long rows) {}

  @FunctionalInterface
  private interface Run {
    long rows() throws Exception;
  }

  private Timing time(Run run) throws Exception {
    long start = System.nanoTime();
    long rows = run.rows();
    double cold = (System.nanoTime() - start) / 1e6;
    for (int w = 1; w < warmups; w++) {
      run.rows();
    }
    List<Double> wall = new ArrayList<>();
    List<Double> cpu = new ArrayList<>();
    for (int r = 0; r < runs; r++) {
      long cpuStart = processCpuNanos();
      start = System.nanoTime();
      run.rows();
      wall.add((System.nanoTime() - start) / 1e6);
      cpu.add((processCpuNanos() - cpuStart) / 1e6);
    }
    return new Timing(median(wall), median(cpu), cold, rows);
  }

  private long quiver(String sql) {
    long rows = 0;
    try (BatchStream stream = client.query(sql)) {
      while (stream.next()) {
        rows += stream.root().getRowCount();
      }
    }
    return rows;
  }

  private static long processCpuNanos() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static String peakRss() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return line.substring("VmHWM:".length()).trim();
      }
    }
    return "unknown";
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** Deletes {@code root} and everything under it. */
  static void delete(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
