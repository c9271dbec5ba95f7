package dev.quiver.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Tables DuckDB computes, created in DuckDB and written as Parquet twice: whole, for one node (or
 * nodes sharing the files), and dealt row by row over three peer-local nodes.
 *
 * @param one each table's folder with all its rows
 * @param peerLocal for each of three nodes, each table's folder with every third row
 */
record PeerLocalTables(Map<String, String> one, List<Map<String, String>> peerLocal) {
  static final int NODES = 3;

  /**
   * Creates {@code tables} (name to query) in {@code duckdb} and writes them below {@code data}.
   */
  static PeerLocalTables write(DuckDb duckdb, Path data, Map<String, String> tables)
      throws Exception {
    Map<String, String> one = new HashMap<>();
    List<Map<String, String>> peerLocal = new ArrayList<>();
    for (int n = 0; n < NODES; n++) {
      peerLocal.add(new HashMap<>());
    }
    for (Map.Entry<String, String> table : tables.entrySet()) {
      String name = table.getKey();
      duckdb.execute("CREATE TABLE " + name + " AS " + table.getValue());
      Path all = Files.createDirectories(data.resolve("one").resolve(name));
      duckdb.writeParquet("SELECT * FROM " + name, all.resolve("part-0.parquet"), "");
      one.put(name, all.toString());
      for (int n = 0; n < NODES; n++) {
        Path part = Files.createDirectories(data.resolve("node-" + n).resolve(name));
        duckdb.writeParquet(
            "SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER () AS rn FROM "
                + name
                + ") WHERE rn % "
                + NODES
                + " = "
                + n,
            part.resolve("part-0.parquet"),
            "");
        peerLocal.get(n).put(name, part.toString());
      }
    }
    return new PeerLocalTables(one, peerLocal);
  }
}
