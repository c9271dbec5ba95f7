package dev.quiver.parquet.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.parquet.dataset.DataFile;
import dev.quiver.parquet.dataset.DatasetLoader;
import dev.quiver.parquet.dataset.InvalidDatasetException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the scan detects in files without page checksums (DuckDB writes none): integer values
 * outside their column chunk's statistics, and a file that changed after its footer was read. Each
 * failure names the file, the row group and the column, and leaves no memory behind.
 */
class IntegrityTest {
  @TempDir Path dir;
  Path file;

  @BeforeEach
  void writeUncompressedDuckDbFile() throws Exception {
    file = dir.resolve("ids.parquet");
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckdb.createStatement()) {
      statement.execute(
          "COPY (SELECT i AS id, i % 7 AS g FROM range(0, 300000) t(i)) TO '"
              + file
              + "' (FORMAT PARQUET, COMPRESSION uncompressed, ROW_GROUP_SIZE 100000)");
    }
  }

  @Test
  void flippedBytesInAPlainIntegerPageFailTheScanNamingFileRowGroupAndColumn() throws IOException {
    ColumnChunkMetaData id = DatasetLoader.readFile(file).rowGroups().get(1).getColumns().get(0);
    assertThat(id.getPath().toDotString()).isEqualTo("id");
    assertThat(id.getEncodings()).contains(Encoding.PLAIN);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      // Past the page header, inside the values: 8 bytes that decode to a huge id.
      raf.seek(id.getFirstDataPageOffset() + 4000);
      raf.write(new byte[] {1, 2, 3, 4, 5, 6, 7, 0x7F});
    }
    DataFile data = DatasetLoader.readFile(file);
    assertThatThrownBy(() -> sumOfIds(data))
        .isInstanceOf(InvalidDatasetException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("row group 1")
        .hasMessageContaining("Column id has value")
        .hasMessageContaining(
            "outside its column chunk's statistics ["
                + id.getStatistics().genericGetMin()
                + ", "
                + id.getStatistics().genericGetMax()
                + "]");
  }

  @Test
  void anUndamagedFilePassesTheChecks() {
    assertThat(sumOfIds(DatasetLoader.readFile(file))).isEqualTo(299_999L * 300_000 / 2);
  }

  @Test
  void aFileTruncatedAfterItsFooterWasReadFailsWhenItsSplitOpens() throws IOException {
    DataFile data = DatasetLoader.readFile(file);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(raf.length() / 2);
    }
    assertThatThrownBy(() -> sumOfIds(data))
        .isInstanceOf(InvalidDatasetException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("changed after its footer was read")
        .hasMessageContaining("refresh the dataset");
  }

  @Test
  void aReplacedFileFailsEvenWithTheSameLength() throws IOException {
    DataFile data = DatasetLoader.readFile(file);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, bytes);
    Files.setLastModifiedTime(
        file, java.nio.file.attribute.FileTime.fromMillis(data.stored().modifiedMillis() + 60_000));
    assertThatThrownBy(() -> sumOfIds(data)).hasMessageContaining("changed after its footer");
  }

  private static long sumOfIds(DataFile data) {
    try (BufferAllocator allocator = new RootAllocator()) {
      long sum = 0;
      try (ParquetBatchReader reader =
          ParquetBatchReader.open(
              new FileSplit(data, 0, data.rowGroups().size()),
              data.schema(),
              ScanRequest.of(List.of("id")),
              allocator)) {
        while (reader.next()) {
          var ids = (org.apache.arrow.vector.BigIntVector) reader.root().getVector("id");
          for (int i = 0; i < ids.getValueCount(); i++) {
            sum += ids.get(i);
          }
        }
      } finally {
        assertThat(allocator.getAllocatedMemory()).isZero();
      }
      return sum;
    }
  }
}
