package dev.quiver.parquet.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dataset directory holds what people put there: a stray text file beside the data is skipped
 * with a warning, not a reason to stop the node; a Parquet file without an extension (as Hive
 * writes them) is read; a damaged file with a Parquet name still fails the dataset, naming it.
 */
class StrayFilesTest {
  @TempDir Path dir;

  private void write(Path file, long from) throws Exception {
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckdb.createStatement()) {
      statement.execute(
          "COPY (SELECT i AS id FROM range("
              + from
              + ", "
              + (from + 1000)
              + ") r(i)) TO '"
              + file
              + "' (FORMAT PARQUET)");
    }
  }

  @Test
  void aStrayTextFileIsSkippedAndAnExtensionlessParquetFileIsRead() throws Exception {
    write(dir.resolve("a.parquet"), 0);
    write(dir.resolve("000001_0"), 1000);
    Files.writeString(dir.resolve("notes.txt"), "what this data is\n");
    Files.writeString(dir.resolve("export.csv"), "id\n1\n2\n");

    Dataset dataset = DatasetLoader.load("t", dir.toString());

    assertThat(dataset.files())
        .extracting(f -> Path.of(f.location()).getFileName().toString())
        .containsExactly("000001_0", "a.parquet");
    assertThat(dataset.rowCount()).isEqualTo(2000);
  }

  @Test
  void aDamagedFileWithAParquetNameStillFailsTheDatasetNamingIt() throws Exception {
    write(dir.resolve("a.parquet"), 0);
    Files.writeString(dir.resolve("b.parquet"), "not parquet at all, though named so");
    assertThatThrownBy(() -> DatasetLoader.load("t", dir.toString()))
        .isInstanceOf(InvalidDatasetException.class)
        .hasMessageContaining("b.parquet");
  }

  @Test
  void aDatasetOfNothingButStrayFilesSaysItHasNoParquetFiles() throws Exception {
    Files.writeString(dir.resolve("trips.csv"), "id\n1\n");
    assertThatThrownBy(() -> DatasetLoader.load("t", dir.resolve("trips.csv").toString()))
        .isInstanceOf(InvalidDatasetException.class)
        .hasMessageContaining("no Parquet files at");
  }
}
