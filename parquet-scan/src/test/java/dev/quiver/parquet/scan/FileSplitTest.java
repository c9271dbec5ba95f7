package dev.quiver.parquet.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.parquet.dataset.DataFile;
import dev.quiver.parquet.dataset.DatasetLoader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cutting files into splits, and splits into their row groups, over a file DuckDB wrote. */
class FileSplitTest {
  @TempDir static Path dir;

  /** 10,000 rows in row groups of at most 2,048 (where the writer cuts them is its own choice). */
  private static DataFile data;

  @BeforeAll
  static void write() throws Exception {
    Path file = dir.resolve("rows.parquet");
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckdb.createStatement()) {
      statement.execute(
          "COPY (SELECT i AS id, i % 7 AS k FROM range(10000) t(i)) TO '"
              + file
              + "' (FORMAT PARQUET, ROW_GROUP_SIZE 2048)");
    }
    data = DatasetLoader.readFile(file);
  }

  @Test
  void aSplitByRowGroupIsOneSplitPerRowGroupInOrderCoveringTheSameRows() {
    int rowGroups = data.rowGroups().size();
    assertThat(rowGroups).isGreaterThan(2);
    FileSplit whole = new FileSplit(data, 1, rowGroups);

    List<FileSplit> single = whole.byRowGroup();

    assertThat(single).hasSize(rowGroups - 1);
    for (int i = 0; i < single.size(); i++) {
      assertThat(single.get(i)).isEqualTo(new FileSplit(data, 1 + i, 2 + i));
    }
    assertThat(single.stream().mapToLong(FileSplit::rowCount).sum()).isEqualTo(whole.rowCount());
    assertThat(single.stream().mapToLong(FileSplit::compressedBytes).sum())
        .isEqualTo(whole.compressedBytes());
  }

  @Test
  void aSplitOfOneRowGroupOrNoneIsItsOwnOnlyPart() {
    FileSplit one = new FileSplit(data, 2, 3);
    FileSplit none = new FileSplit(data, 0, 0);

    assertThat(one.byRowGroup()).containsExactly(one);
    assertThat(none.byRowGroup()).containsExactly(none);
  }

  @Test
  void splitsOfATargetSizeCoverEveryRowGroupOnce() {
    long rowGroupBytes = data.rowGroups().get(0).getCompressedSize();

    List<FileSplit> splits = FileSplit.of(data, 2 * rowGroupBytes);

    assertThat(splits.stream().flatMap(split -> split.byRowGroup().stream()).toList())
        .isEqualTo(new FileSplit(data, 0, data.rowGroups().size()).byRowGroup());
    assertThat(splits.stream().mapToLong(FileSplit::rowCount).sum()).isEqualTo(10_000);
  }
}
