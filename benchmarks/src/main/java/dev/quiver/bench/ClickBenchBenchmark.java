package dev.quiver.bench;

import dev.quiver.server.clickbench.ClickBenchData;
import dev.quiver.server.clickbench.ClickBenchQueries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * ClickBench's 43 queries ({@link ClickBenchQueries}, as DuckDB runs them) on one Quiver node
 * against DuckDB over the same Parquet files, a generated {@code hits} table ({@link
 * ClickBenchData}: four files), as {@link EngineComparison} runs and prints them: {@code warmups}
 * untimed runs per query and engine, then {@code runs} timed, medians; queries Quiver does not
 * answer are listed with its reason and left out of the geometric mean.
 *
 * <p>{@code ClickBenchBenchmark [data-dir (default data/clickbench)] [rows (default 3000000)] [runs
 * (3)] [warm-up runs (3)]}
 */
public final class ClickBenchBenchmark {
  private ClickBenchBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "data/clickbench");
    long rows = args.length > 1 ? Long.parseLong(args[1]) : 3_000_000;
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int warmups = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    Files.createDirectories(dir);
    Path root = Files.createTempDirectory(dir, "hits-" + rows + "-");
    long started = System.nanoTime();
    try (ClickBenchData data = ClickBenchData.generate(rows, root, 1)) {
      System.out.printf(
          Locale.ROOT,
          "hits with %,d rows generated and written in %.1f s%n",
          rows,
          (System.nanoTime() - started) / 1e9);
      EngineComparison.run(
          data.oneNode(),
          data.duckDb(),
          ClickBenchQueries.all().stream()
              .map(query -> new EngineComparison.Query(query.toString(), query.sql()))
              .toList(),
          warmups,
          runs);
    } finally {
      EngineComparison.delete(root);
    }
  }
}
