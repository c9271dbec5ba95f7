package dev.quiver.parquet.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.parquet.dataset.DataFile;
import dev.quiver.parquet.dataset.DatasetLoader;
import dev.quiver.parquet.dataset.InvalidDatasetException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged files give an error naming the file, and leave no memory behind. */
class CorruptFilesTest {
  @TempDir Path dir;
  Path good;

  @BeforeEach
  void writeGoodFile() throws Exception {
    good = dir.resolve("good.parquet");
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckdb.createStatement()) {
      statement.execute(
          "COPY (SELECT i AS id, 'text-' || (hash(i) % 100000) AS s FROM range(0, 200000) t(i))"
              + " TO '"
              + good
              + "' (FORMAT PARQUET, COMPRESSION snappy, ROW_GROUP_SIZE 50000)");
    }
  }

  private Path copy(String name) throws IOException {
    Path file = dir.resolve(name);
    Files.copy(good, file);
    return file;
  }

  @Test
  void aTruncatedFileIsRejectedNamingIt() throws IOException {
    Path file = copy("truncated.parquet");
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(raf.length() / 2);
    }
    assertThatThrownBy(() -> DatasetLoader.readFile(file))
        .isInstanceOf(InvalidDatasetException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  void aFileThatIsNotParquetIsRejectedNamingIt() throws IOException {
    Path file = dir.resolve("text.parquet");
    Files.writeString(file, "id,s\n1,a\n");
    assertThatThrownBy(() -> DatasetLoader.readFile(file))
        .isInstanceOf(InvalidDatasetException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  void aFooterThatLiesAboutItsLengthIsRejected() throws IOException {
    Path file = copy("lying.parquet");
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(raf.length() - 8);
      raf.write(
          ByteBuffer.allocate(4)
              .order(ByteOrder.LITTLE_ENDIAN)
              .putInt(Integer.MAX_VALUE / 2)
              .array());
    }
    assertThatThrownBy(() -> DatasetLoader.readFile(file))
        .isInstanceOf(InvalidDatasetException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  void damagedPagesFailTheScanNamingTheFileWithoutLeaking() throws IOException {
    Path file = copy("damaged.parquet");
    long middle = DatasetLoader.readFile(file).rowGroups().get(1).getStartingPos() + 100;
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(middle);
      byte[] garbage = new byte[4096];
      java.util.Arrays.fill(garbage, (byte) 0x5A);
      raf.write(garbage);
    }
    DataFile data = DatasetLoader.readFile(file); // the footer is intact: the damage is in pages
    try (BufferAllocator allocator = new RootAllocator()) {
      assertThatThrownBy(
              () -> {
                try (ParquetBatchReader reader =
                    ParquetBatchReader.open(
                        new FileSplit(data, 0, data.rowGroups().size()),
                        data.schema(),
                        ScanRequest.of(List.of("id", "s")),
                        allocator)) {
                  while (reader.next()) {
                    assertThat(reader.root().getRowCount()).isPositive();
                  }
                }
              })
          .isInstanceOf(InvalidDatasetException.class)
          .hasMessageContaining(file.toString());
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }
}
