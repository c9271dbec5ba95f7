package dev.quiver.server.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.parquet.dataset.DataFile;
import dev.quiver.parquet.dataset.DatasetLoader;
import dev.quiver.parquet.scan.FileSplit;
import dev.quiver.server.DuckDb;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a node's partial aggregation hands its splits to the scan threads. */
class TaskRunnerTest {
  @TempDir Path dir;

  private DataFile wide;
  private DataFile narrow;
  private List<FileSplit> splits;

  @BeforeEach
  void write() throws Exception {
    try (DuckDb duckdb = new DuckDb()) {
      // Row groups of up to 2,048 rows, then of up to 1,024: the last of each file is smaller.
      duckdb.writeParquet(
          "SELECT i AS id, i * 0.5 AS m FROM range(5000) t(i)",
          dir.resolve("wide.parquet"),
          "ROW_GROUP_SIZE 2048");
      duckdb.writeParquet(
          "SELECT i AS id, i * 0.5 AS m FROM range(3000) t(i)",
          dir.resolve("narrow.parquet"),
          "ROW_GROUP_SIZE 1024");
    }
    wide = DatasetLoader.readFile(dir.resolve("wide.parquet"));
    narrow = DatasetLoader.readFile(dir.resolve("narrow.parquet"));
    splits =
        List.of(
            new FileSplit(wide, 0, wide.rowGroups().size()),
            new FileSplit(narrow, 0, 1),
            new FileSplit(narrow, 1, narrow.rowGroups().size()));
  }

  @Test
  void rowGroupsOfTheTaskSizeAreTakenOneByOneLargestFirst() {
    List<FileSplit> tasks = TaskRunner.largestFirst(splits, 1);

    assertThat(tasks).allSatisfy(task -> assertThat(rowGroupsOf(task)).isOne());
    assertThat(rowGroups(tasks)).containsExactlyInAnyOrderElementsOf(rowGroups(splits));
    assertThat(tasks.stream().mapToLong(FileSplit::compressedBytes).toArray())
        .isSortedAccordingTo((a, b) -> Long.compare(b, a));
    assertThat(tasks.get(tasks.size() - 1).rowCount()).isLessThan(tasks.get(0).rowCount());
  }

  @Test
  void smallerRowGroupsAreTakenTogetherUpToTheTaskSize() {
    long taskBytes = 2 * narrow.rowGroups().get(0).getCompressedSize();

    List<FileSplit> tasks = TaskRunner.largestFirst(splits, taskBytes);

    assertThat(rowGroups(tasks)).containsExactlyInAnyOrderElementsOf(rowGroups(splits));
    assertThat(tasks.size()).isLessThan(rowGroups(splits).size());
    assertThat(tasks.stream().mapToLong(FileSplit::compressedBytes).toArray())
        .isSortedAccordingTo((a, b) -> Long.compare(b, a));
  }

  @Test
  void splitsSmallerThanTheTaskSizeStayWhole() {
    assertThat(TaskRunner.largestFirst(splits, Long.MAX_VALUE))
        .containsExactlyInAnyOrderElementsOf(splits);
  }

  private static int rowGroupsOf(FileSplit split) {
    return split.endRowGroup() - split.firstRowGroup();
  }

  /** Each row group of the splits, as a split of its own. */
  private static List<FileSplit> rowGroups(List<FileSplit> splits) {
    List<FileSplit> single = new ArrayList<>();
    for (FileSplit split : splits) {
      for (int i = split.firstRowGroup(); i < split.endRowGroup(); i++) {
        single.add(new FileSplit(split.file(), i, i + 1));
      }
    }
    return single;
  }
}
