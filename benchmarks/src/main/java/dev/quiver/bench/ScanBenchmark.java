package dev.quiver.bench;

import dev.quiver.client.BatchStream;
import dev.quiver.client.QuiverClient;
import dev.quiver.server.flight.FlightNode;
import io.micronaut.context.ApplicationContext;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The Java view: Quiver over Flight (a node in this process, Quiver's Java client reading every
 * endpoint) against DuckDB's JDBC driver limited to 2 threads, on the data of {@link BenchData},
 * with medians and the ratio Quiver/DuckDB. DuckDB's answer goes through a JDBC ResultSet here,
 * value by value, which charges it for a row conversion Quiver never pays; the comparison that
 * counts is {@code benchmarks/python/peers.py} (DuckDB's answer as Arrow, a pyarrow Flight peer,
 * one pyarrow client for both Flight servers), which {@code benchmarks/run} runs after this.
 */
public final class ScanBenchmark {
  private ScanBenchmark() {}

  record Case(String name, String quiverSql, String duckDbSql) {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "data/bench").toAbsolutePath();
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:")) {
      try (Statement statement = duckdb.createStatement()) {
        statement.execute("SET threads TO 2");
      }
      BenchData.generate(duckdb, dir);
      String files = "read_parquet('" + BenchData.all(dir) + "/*.parquet')";
      List<Case> cases =
          List.of(
              new Case(
                  "full scan, 2 columns (20M rows)",
                  "SELECT g, m FROM bench",
                  "SELECT g, m FROM " + files),
              new Case(
                  "range filter, 5% of rows",
                  "SELECT id, m FROM bench WHERE t >= 9500 AND t < 10500",
                  "SELECT id, m FROM " + files + " WHERE t >= 9500 AND t < 10500"),
              new Case(
                  "SUM GROUP BY, 1,000 groups",
                  "SELECT g, SUM(m) FROM bench GROUP BY g",
                  "SELECT g, SUM(m) FROM " + files + " GROUP BY g"),
              new Case(
                  "SUM GROUP BY + filter 5%",
                  "SELECT g, SUM(m) FROM bench WHERE t >= 9500 AND t < 10500 GROUP BY g",
                  "SELECT g, SUM(m) FROM " + files + " WHERE t >= 9500 AND t < 10500 GROUP BY g"));
      Map<String, Object> properties =
          Map.of(
              "quiver.host",
              "127.0.0.1",
              "quiver.port",
              0,
              "quiver.datasets.bench",
              BenchData.all(dir).toString());
      try (ApplicationContext context = ApplicationContext.run(properties)) {
        URI uri = URI.create("grpc://127.0.0.1:" + context.getBean(FlightNode.class).port());
        try (QuiverClient client = QuiverClient.connect(uri)) {
          System.out.printf(
              Locale.ROOT,
              "%n%-34s %12s %12s %8s %12s%n",
              "case",
              "quiver ms",
              "duckdb ms",
              "ratio",
              "rows");
          for (Case c : cases) {
            run(c, client, duckdb, runs);
          }
          System.out.printf(
              Locale.ROOT,
              "%n%-34s %12s %12s %8s %12s%n",
              "same answer, Java client",
              "flight ms",
              "shm ms",
              "ratio",
              "rows");
          for (Case c : List.of(cases.get(0), cases.get(2))) {
            sharedMemory(c, client, runs);
          }
        }
      }
    }
  }

  private static void run(Case c, QuiverClient client, Connection duckdb, int runs)
      throws SQLException {
    long rows = quiver(client, c.quiverSql());
    long duckRows = duckDb(duckdb, c.duckDbSql());
    if (rows != duckRows) {
      throw new IllegalStateException(
          c.name() + ": Quiver returned " + rows + " rows, DuckDB " + duckRows);
    }
    List<Double> quiverMs = new ArrayList<>();
    List<Double> duckMs = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      quiver(client, c.quiverSql());
      quiverMs.add((System.nanoTime() - start) / 1e6);
      start = System.nanoTime();
      duckDb(duckdb, c.duckDbSql());
      duckMs.add((System.nanoTime() - start) / 1e6);
    }
    double q = median(quiverMs);
    double d = median(duckMs);
    System.out.printf(
        Locale.ROOT, "%-34s %12.0f %12.0f %8.2f %,12d%n", c.name(), q, d, q / d, rows);
  }

  /**
   * The same answer read over loopback Flight and from the node's shared-memory object store (end
   * to end: the node writes the object, the client maps it), every value read both ways.
   */
  private static void sharedMemory(Case c, QuiverClient client, int runs) {
    long rows = read(client.query(c.quiverSql()));
    long mappedRows = read(client.sharedQuery(c.quiverSql()));
    if (rows != mappedRows) {
      throw new IllegalStateException(
          c.name() + ": Flight gave " + rows + " rows, shared memory " + mappedRows);
    }
    List<Double> flightMs = new ArrayList<>();
    List<Double> sharedMs = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      read(client.query(c.quiverSql()));
      flightMs.add((System.nanoTime() - start) / 1e6);
      start = System.nanoTime();
      read(client.sharedQuery(c.quiverSql()));
      sharedMs.add((System.nanoTime() - start) / 1e6);
    }
    double f = median(flightMs);
    double m = median(sharedMs);
    System.out.printf(
        Locale.ROOT, "%-34s %12.0f %12.0f %8.2f %,12d%n", c.name(), f, m, m / f, rows);
  }

  private static long quiver(QuiverClient client, String sql) {
    return read(client.query(sql));
  }

  /** Reads every batch and sums every numeric column, so that no value goes unread. */
  private static long read(BatchStream batches) {
    long rows = 0;
    double checksum = 0;
    try (BatchStream stream = batches) {
      while (stream.next()) {
        VectorSchemaRoot root = stream.root();
        rows += root.getRowCount();
        for (FieldVector vector : root.getFieldVectors()) {
          if (vector instanceof org.apache.arrow.vector.BigIntVector longs) {
            for (int i = 0; i < root.getRowCount(); i++) {
              checksum += longs.get(i);
            }
          } else if (vector instanceof org.apache.arrow.vector.Float8Vector doubles) {
            for (int i = 0; i < root.getRowCount(); i++) {
              checksum += doubles.get(i);
            }
          }
        }
      }
    }
    return checksum == Double.MIN_VALUE ? -1 : rows;
  }

  private static long duckDb(Connection duckdb, String sql) throws SQLException {
    long rows = 0;
    double checksum = 0;
    try (Statement statement = duckdb.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      while (rs.next()) {
        rows++;
        checksum += rs.getLong(1) + rs.getDouble(2);
      }
    }
    return checksum == Double.MIN_VALUE ? -1 : rows;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
