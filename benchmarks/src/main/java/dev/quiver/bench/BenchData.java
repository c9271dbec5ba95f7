package dev.quiver.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/**
 * The benchmark's data, written once by DuckDB: 20M rows in 6 Parquet files of row groups of 1M
 * rows (snappy) under {@code all/}, and the same files dealt out two per node under {@code
 * node-0/}, {@code node-1/}, {@code node-2/} (hard links) for the three-node cluster.
 *
 * <p>Columns: {@code id} (BIGINT, 0..20M), {@code g} (BIGINT, 1,000 groups), {@code g2} (BIGINT,
 * 1,000,000 groups), {@code a} (BIGINT), {@code m} (DOUBLE), {@code t} (DOUBLE, {@code id / 1000},
 * sorted across the files), {@code label} (VARCHAR, 5,000 values).
 */
public final class BenchData {
  static final int FILES = 6;
  static final long ROWS = 20_000_000;
  static final int NODES = 3;
  private static final String MARKER = "_generated_v2";

  private BenchData() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "data/bench").toAbsolutePath();
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:")) {
      generate(duckdb, dir);
    }
  }

  /** The folder every file is in. */
  static Path all(Path dir) {
    return dir.resolve("all");
  }

  static void generate(Connection duckdb, Path dir) throws Exception {
    if (Files.exists(dir.resolve(MARKER))) {
      return;
    }
    Files.createDirectories(all(dir));
    System.out.println("Generating " + ROWS + " rows into " + dir + " ...");
    long perFile = (ROWS + FILES - 1) / FILES;
    try (Statement statement = duckdb.createStatement()) {
      for (int f = 0; f < FILES; f++) {
        long first = f * perFile;
        long end = Math.min(ROWS, first + perFile);
        Path file = all(dir).resolve("part-" + f + ".parquet");
        statement.execute(
            """
            COPY (
              SELECT i AS id,
                (hash(i) %% 1000)::BIGINT AS g,
                (hash(i * 13) %% 1000000)::BIGINT AS g2,
                (hash(i * 3) %% 100000)::BIGINT AS a,
                (hash(i * 7) %% 1000000) / 100.0 AS m,
                i / 1000.0 AS t,
                'label-' || (hash(i * 11) %% 5000) AS label
              FROM range(%d, %d) r(i)
            ) TO '%s' (FORMAT PARQUET, ROW_GROUP_SIZE 1000000, COMPRESSION snappy)
            """
                .formatted(first, end, file));
        Path node = Files.createDirectories(dir.resolve("node-" + (f % NODES)));
        Files.deleteIfExists(node.resolve(file.getFileName()));
        Files.createLink(node.resolve(file.getFileName()), file);
      }
    }
    Files.writeString(dir.resolve(MARKER), "");
  }
}
