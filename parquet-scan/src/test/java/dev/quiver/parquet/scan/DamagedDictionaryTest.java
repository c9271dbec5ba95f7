package dev.quiver.parquet.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.parquet.dataset.DataFile;
import dev.quiver.parquet.dataset.DatasetLoader;
import dev.quiver.parquet.dataset.InvalidDatasetException;
import dev.quiver.parquet.predicate.Comparison;
import dev.quiver.parquet.predicate.ComparisonOperator;
import dev.quiver.parquet.predicate.Constant;
import dev.quiver.parquet.predicate.Predicate;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.PageType;
import org.apache.parquet.format.Util;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A string column's dictionary page damaged on disk, in a file without page checksums (DuckDB
 * writes none): each value there is a 4-byte length and its bytes, and a flipped byte in a length
 * fails the scan as the other integrity checks do, naming the file, the row group and the column,
 * and leaving no memory behind; never as a bare index out of bounds.
 */
class DamagedDictionaryTest {
  /** A filter the row groups' statistics cannot rule out, so the pruner reads the dictionary. */
  private static final Predicate CITY_7 = new Comparison("s", ComparisonOperator.EQ, "city-7");

  @TempDir Path dir;
  Path good;

  @BeforeEach
  void writeUncompressedStringsWithADictionary() throws Exception {
    good = dir.resolve("cities.parquet");
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckdb.createStatement()) {
      statement.execute(
          "COPY (SELECT i AS id, 'city-' || (i % 50) AS s FROM range(0, 30000) t(i)) TO '"
              + good
              + "' (FORMAT PARQUET, COMPRESSION uncompressed, ROW_GROUP_SIZE 10000)");
    }
  }

  @Test
  void aFlippedByteInAStringLengthFailsTheScanNamingFileRowGroupAndColumn() throws IOException {
    Path file = damaged(1);
    assertThatThrownBy(() -> scan(file, Constant.TRUE))
        .isInstanceOf(InvalidDatasetException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("row group 1")
        .hasMessageContaining("Column s has a damaged dictionary page of 50 values")
        .hasMessageContaining("value 0 has length");
  }

  @Test
  void aFilterThatReadsTheDictionaryToPruneFailsTheSameWay() throws IOException {
    Path file = damaged(1);
    assertThatThrownBy(() -> scan(file, CITY_7))
        .isInstanceOf(InvalidDatasetException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("row group 1")
        .hasMessageContaining("Column s has a damaged dictionary page");
  }

  @Test
  void noFlippedByteInTheDictionaryPageGivesAnyOtherKindOfFailure() throws IOException {
    int size = dictionaryPage().getCompressed_page_size();
    int failed = 0;
    for (int offset = 0; offset < size; offset++) {
      Path file = damaged(offset);
      for (Predicate filter : List.of(Constant.TRUE, CITY_7)) {
        try {
          scan(file, filter); // a flipped letter of a value reads as another value
        } catch (InvalidDatasetException e) {
          failed++;
          assertThat(e.getMessage())
              .as("byte %d of the dictionary page", offset)
              .contains(file.toString(), "row group 1", "Column s ");
        }
      }
      Files.delete(file);
    }
    assertThat(failed).as("the flips in lengths fail").isPositive();
  }

  /** A copy of the file with byte {@code offset} of row group 1's dictionary page of s flipped. */
  private Path damaged(int offset) throws IOException {
    Path file = dir.resolve("damaged-" + offset + ".parquet");
    Files.copy(good, file);
    long position = dictionaryPageStart() + dictionaryPageHeaderLength() + offset;
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(position);
      int b = raf.read();
      raf.seek(position);
      raf.write(b ^ 0xFF);
    }
    return file;
  }

  private long dictionaryPageStart() {
    ColumnChunkMetaData s = DatasetLoader.readFile(good).rowGroups().get(1).getColumns().get(1);
    assertThat(s.getPath().toDotString()).isEqualTo("s");
    assertThat(s.hasDictionaryPage()).isTrue();
    return s.getDictionaryPageOffset();
  }

  private PageHeader dictionaryPage() throws IOException {
    try (InputStream in = Files.newInputStream(good)) {
      in.skipNBytes(dictionaryPageStart());
      PageHeader header = Util.readPageHeader(in);
      assertThat(header.getType()).isEqualTo(PageType.DICTIONARY_PAGE);
      return header;
    }
  }

  /** The page header's length in bytes: what reading it consumed. */
  private int dictionaryPageHeaderLength() throws IOException {
    try (InputStream in = Files.newInputStream(good)) {
      in.skipNBytes(dictionaryPageStart());
      int available = in.available();
      Util.readPageHeader(in);
      return available - in.available();
    }
  }

  private static void scan(Path file, Predicate filter) {
    DataFile data = DatasetLoader.readFile(file);
    try (BufferAllocator allocator = new RootAllocator()) {
      try (ParquetBatchReader reader =
          ParquetBatchReader.open(
              new FileSplit(data, 0, data.rowGroups().size()),
              data.schema(),
              ScanRequest.of(List.of("id", "s"), filter),
              allocator)) {
        while (reader.next()) {
          assertThat(reader.root().getRowCount()).isPositive();
        }
      } finally {
        assertThat(allocator.getAllocatedMemory()).isZero();
      }
    }
  }
}
