package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.server.demo.QuiverDemo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code quiver demo} starts three nodes, answers through one of them as DuckDB does, stops. */
class DemoTest {
  @TempDir Path sampleDir;

  @Test
  void threeNodesAnswerTheSumGroupByAndStop() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int exit =
        new CommandLine(new QuiverDemo(new PrintStream(bytes, true, StandardCharsets.UTF_8)))
            .execute("--sample-dir", sampleDir.toString(), "--sample-rows", "30000");
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(out).isZero();
    assertThat(out)
        .contains("Started 3 nodes")
        .contains("node 2 serves [trips-2024-03.parquet, trips-2024-06.parquet]")
        .contains("gathered on the coordinator")
        .contains("hash-shuffled to their owners")
        .contains("Stopped the nodes.");
    try (DuckDb duckdb = new DuckDb()) {
      BigDecimal manhattan =
          (BigDecimal)
              duckdb
                  .query(
                      "SELECT SUM(fare) FROM '"
                          + sampleDir.resolve("trips")
                          + "/*.parquet' WHERE pickup_borough = 'Manhattan'")
                  .get(0)
                  .get(0);
      long trips =
          duckdb.queryLong(
              "SELECT COUNT(*) FROM '"
                  + sampleDir.resolve("trips")
                  + "/*.parquet' WHERE pickup_borough = 'Manhattan'");
      // The table groups digits: 1,234,567 and 12,345.67.
      String groupedTrips = String.format(java.util.Locale.ROOT, "%,d", trips);
      String groupedFares =
          String.format(java.util.Locale.ROOT, "%,." + manhattan.scale() + "f", manhattan);
      assertThat(out).containsPattern("Manhattan +\\| +" + groupedTrips + " \\| +" + groupedFares);
    }
  }
}
