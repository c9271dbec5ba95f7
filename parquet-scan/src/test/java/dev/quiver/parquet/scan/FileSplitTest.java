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

/** Cutting files and splits into splits of about a target size, over a file DuckDB wrote. */
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
  void aSplitCutToOneByteIsOneSplitPerRowGroupInOrder() {
    int rowGroups = data.rowGroups().size();
    assertThat(rowGroups).isGreaterThan(2);
    FileSplit split = new FileSplit(data, 1, rowGroups);

    List<FileSplit> pieces = split.cut(1);

    assertThat(pieces).hasSize(rowGroups - 1);
    for (int i = 0; i < pieces.size(); i++) {
      assertThat(pieces.get(i)).isEqualTo(new FileSplit(data, 1 + i, 2 + i));
    }
    assertThat(pieces.stream().mapToLong(FileSplit::rowCount).sum()).isEqualTo(split.rowCount());
  }

  @Test
  void eachPieceIsTheFewestConsecutiveRowGroupsReachingTheTarget() {
    FileSplit split = new FileSplit(data, 0, data.rowGroups().size());
    long target = data.rowGroups().get(0).getCompressedSize() + 1; // two row groups, mostly

    List<FileSplit> pieces = split.cut(target);

    assertThat(pieces.get(0).firstRowGroup()).isZero();
    assertThat(pieces.get(pieces.size() - 1).endRowGroup()).isEqualTo(split.endRowGroup());
    for (int i = 0; i < pieces.size(); i++) {
      FileSplit piece = pieces.get(i);
      if (i > 0) {
        assertThat(piece.firstRowGroup()).isEqualTo(pieces.get(i - 1).endRowGroup());
      }
      FileSplit withoutLast = new FileSplit(data, piece.firstRowGroup(), piece.endRowGroup() - 1);
      assertThat(withoutLast.compressedBytes()).isLessThan(target);
      if (i < pieces.size() - 1) {
        assertThat(piece.compressedBytes()).isGreaterThanOrEqualTo(target);
      }
    }
    assertThat(pieces.size()).isLessThan(data.rowGroups().size());
  }

  @Test
  void aSplitOfOneRowGroupOrNoneIsItsOwnOnlyPiece() {
    FileSplit one = new FileSplit(data, 2, 3);
    FileSplit none = new FileSplit(data, 0, 0);

    assertThat(one.cut(1)).containsExactly(one);
    assertThat(one.cut(Long.MAX_VALUE)).containsExactly(one);
    assertThat(none.cut(1)).containsExactly(none);
  }

  @Test
  void aFileIsCutAsTheSplitOfAllItsRowGroups() {
    long target = 2 * data.rowGroups().get(0).getCompressedSize();

    assertThat(FileSplit.of(data, target))
        .isEqualTo(new FileSplit(data, 0, data.rowGroups().size()).cut(target));
    assertThat(FileSplit.of(data, target).stream().mapToLong(FileSplit::rowCount).sum())
        .isEqualTo(10_000);
  }
}
