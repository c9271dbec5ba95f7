package dev.quiver.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A Parquet file of 300,000 rows in 20,000 groups ({@code k}, {@code a}), written by DuckDB, and
 * what {@code SELECT k, SUM(a), COUNT(*) FROM t GROUP BY k} answers over three nodes that each
 * serve it: DuckDB's sums and counts, tripled, sorted.
 */
record TripledGroups(Path file, List<String> expected) {
  static TripledGroups write(DuckDb duckdb, Path dir) {
    Path file = dir.resolve("t.parquet");
    duckdb.writeParquet(
        "SELECT i % 20000 AS k, i AS a FROM range(0, 300000) t(i)", file, "ROW_GROUP_SIZE 50000");
    List<String> expected =
        new ArrayList<>(
            AggregateRows.ofDuckDb(
                duckdb.query("SELECT k, 3 * SUM(a), 3 * COUNT(*) FROM '" + file + "' GROUP BY k")));
    expected.sort(Comparator.naturalOrder());
    return new TripledGroups(file, List.copyOf(expected));
  }
}
