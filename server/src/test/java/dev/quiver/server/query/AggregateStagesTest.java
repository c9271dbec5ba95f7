package dev.quiver.server.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.parquet.dataset.DataFile;
import dev.quiver.parquet.dataset.DatasetLoader;
import dev.quiver.parquet.scan.FileSplit;
import dev.quiver.server.DuckDb;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a node's partial aggregation hands its splits to the scan threads. */
class AggregateStagesTest {
  @TempDir Path dir;

  @Test
  void scanThreadsTakeEveryRowGroupOnceLargestFirst() throws Exception {
    Path wide = dir.resolve("wide.parquet");
    Path narrow = dir.resolve("narrow.parquet");
    try (DuckDb duckdb = new DuckDb()) {
      // Row groups of up to 2,048 rows, then of up to 1,024: the last of each file is smaller.
      duckdb.writeParquet(
          "SELECT i AS id, i * 0.5 AS m FROM range(5000) t(i)", wide, "ROW_GROUP_SIZE 2048");
      duckdb.writeParquet(
          "SELECT i AS id, i * 0.5 AS m FROM range(3000) t(i)", narrow, "ROW_GROUP_SIZE 1024");
    }
    DataFile first = DatasetLoader.readFile(wide);
    DataFile second = DatasetLoader.readFile(narrow);
    List<FileSplit> splits =
        List.of(
            new FileSplit(first, 0, first.rowGroups().size()),
            new FileSplit(second, 0, 1),
            new FileSplit(second, 1, second.rowGroups().size()));

    List<FileSplit> tasks = AggregateStages.largestFirst(splits);

    assertThat(tasks)
        .containsExactlyInAnyOrderElementsOf(
            splits.stream().flatMap(split -> split.byRowGroup().stream()).toList());
    assertThat(tasks)
        .allSatisfy(task -> assertThat(task.endRowGroup() - task.firstRowGroup()).isOne());
    assertThat(tasks.stream().mapToLong(FileSplit::compressedBytes).toArray())
        .isSortedAccordingTo((a, b) -> Long.compare(b, a));
    assertThat(tasks.get(tasks.size() - 1).rowCount()).isLessThan(tasks.get(0).rowCount());
  }
}
