package dev.quiver.parquet.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.parquet.dataset.DataFile;
import dev.quiver.parquet.dataset.DatasetLoader;
import dev.quiver.parquet.predicate.ComparisonOperator;
import dev.quiver.parquet.predicate.Comparisons;
import dev.quiver.parquet.predicate.Not;
import dev.quiver.parquet.predicate.Predicate;
import dev.quiver.parquet.predicate.Predicates;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampNanoVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.parquet.column.ParquetProperties.WriterVersion;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.NanoTime;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Files written by parquet-java with every codec, dictionary on and off, data pages v1 and v2 (v2
 * brings the DELTA encodings) and byte-stream-split floats; values are checked against the
 * generator that wrote them.
 */
class WriterSettingsTest {
  private static final int ROWS = 6_000;
  private static final MessageType SCHEMA =
      MessageTypeParser.parseMessageType(
          """
          message m {
            required int64 id;
            optional int32 small;
            optional double measure;
            optional binary label (STRING);
            optional boolean flag;
            optional fixed_len_byte_array(16) amount (DECIMAL(30,4));
            optional int96 legacy_ts;
          }
          """);

  @TempDir Path dir;

  static Stream<Arguments> settings() {
    List<Arguments> all = new ArrayList<>();
    for (CompressionCodecName codec :
        List.of(
            CompressionCodecName.UNCOMPRESSED,
            CompressionCodecName.SNAPPY,
            CompressionCodecName.GZIP,
            CompressionCodecName.ZSTD,
            CompressionCodecName.LZ4_RAW)) {
      for (WriterVersion version : WriterVersion.values()) {
        for (boolean dictionary : new boolean[] {true, false}) {
          all.add(Arguments.of(codec, version, dictionary));
        }
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0} {1} dictionary={2}")
  @MethodSource("settings")
  void readsEveryValueWrittenWithTheseSettings(
      CompressionCodecName codec, WriterVersion version, boolean dictionary) throws IOException {
    Path file = dir.resolve("data.parquet");
    write(file, codec, version, dictionary);
    DataFile data = DatasetLoader.readFile(file);
    assertReadsEveryRow(data);

    // The same file filtered: every pushdown level these settings allow, then the exact filter.
    Predicate filter =
        Predicates.and(
            List.of(
                Comparisons.compare(data.schema().findField("id"), ComparisonOperator.GE, 1_000),
                Comparisons.compare(data.schema().findField("id"), ComparisonOperator.LT, 4_000),
                Comparisons.in(data.schema().findField("label"), List.of("label-5", "label-7")),
                new Not(Comparisons.isNull(data.schema().findField("measure")))));
    List<Long> expected = new ArrayList<>();
    for (long i = 1_000; i < 4_000; i++) {
      boolean labelled = i % 3 != 0 && (i % 40 == 5 || i % 40 == 7);
      if (labelled && i % 7 != 0) {
        expected.add(i);
      }
    }
    List<Long> ids = new ArrayList<>();
    try (BufferAllocator allocator = new RootAllocator();
        ParquetBatchReader reader =
            ParquetBatchReader.open(
                new FileSplit(data, 0, data.rowGroups().size()),
                data.schema(),
                ScanRequest.of(List.of("id", "small"), filter),
                allocator)) {
      while (reader.next()) {
        BigIntVector id = (BigIntVector) reader.root().getVector("id");
        for (int r = 0; r < reader.root().getRowCount(); r++) {
          ids.add(id.get(r));
        }
      }
      assertThat(reader.statistics().rowsReturned()).isEqualTo(expected.size());
    }
    assertThat(ids).isEqualTo(expected);
  }

  @Test
  void readsChunksWhoseDictionaryOverflowsIntoPlainPages() throws IOException {
    Path file = dir.resolve("overflow.parquet");
    write(file, CompressionCodecName.SNAPPY, WriterVersion.PARQUET_1_0, true, 6_000);
    DataFile data = DatasetLoader.readFile(file);
    boolean mixed = false;
    for (BlockMetaData rowGroup : data.rowGroups()) {
      for (ColumnChunkMetaData chunk : rowGroup.getColumns()) {
        mixed |=
            chunk.getEncodings().contains(org.apache.parquet.column.Encoding.PLAIN)
                && chunk
                    .getEncodings()
                    .contains(org.apache.parquet.column.Encoding.PLAIN_DICTIONARY);
      }
    }
    assertThat(mixed).as("some chunk has dictionary pages, then PLAIN ones").isTrue();
    assertReadsEveryRow(data);
  }

  @Test
  void decodesOnlyTheProjectedColumnChunks() throws IOException {
    Path file = dir.resolve("wide.parquet");
    write(file, CompressionCodecName.SNAPPY, WriterVersion.PARQUET_1_0, true);
    DataFile data = DatasetLoader.readFile(file);
    long labelBytes = 0;
    long allBytes = 0;
    for (BlockMetaData rowGroup : data.rowGroups()) {
      for (ColumnChunkMetaData chunk : rowGroup.getColumns()) {
        allBytes += chunk.getTotalSize();
        labelBytes += chunk.getPath().toDotString().equals("label") ? chunk.getTotalSize() : 0;
      }
    }
    try (BufferAllocator allocator = new RootAllocator();
        ParquetBatchReader reader =
            ParquetBatchReader.open(
                new FileSplit(data, 0, data.rowGroups().size()),
                data.schema(),
                ScanRequest.of(List.of("label")),
                allocator)) {
      long rows = 0;
      while (reader.next()) {
        assertThat(reader.root().getFieldVectors()).hasSize(1);
        rows += reader.root().getRowCount();
      }
      assertThat(rows).isEqualTo(ROWS);
      assertThat(reader.statistics().bytesRead()).isEqualTo(labelBytes).isLessThan(allBytes / 3);
    }
  }

  /** Reads every column of the whole file and checks each value against the generator. */
  private static void assertReadsEveryRow(DataFile data) {
    List<String> columns = SCHEMA.getFields().stream().map(f -> f.getName()).toList();
    int row = 0;
    try (BufferAllocator allocator = new RootAllocator();
        ParquetBatchReader reader =
            ParquetBatchReader.open(
                new FileSplit(data, 0, data.rowGroups().size()),
                data.schema(),
                ScanRequest.of(columns),
                allocator)) {
      while (reader.next()) {
        VectorSchemaRoot root = reader.root();
        for (int r = 0; r < root.getRowCount(); r++, row++) {
          assertRow(root, r, row);
        }
      }
    }
    assertThat(row).isEqualTo(ROWS);
  }

  private static void write(
      Path file, CompressionCodecName codec, WriterVersion version, boolean dictionary)
      throws IOException {
    write(file, codec, version, dictionary, 1 << 20);
  }

  private static void write(
      Path file,
      CompressionCodecName codec,
      WriterVersion version,
      boolean dictionary,
      int dictionaryPageSize)
      throws IOException {
    SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(new LocalOutputFile(file))
            .withType(SCHEMA)
            .withCompressionCodec(codec)
            .withWriterVersion(version)
            .withDictionaryEncoding(dictionary)
            .withByteStreamSplitEncoding(!dictionary)
            .withPageSize(4096)
            .withDictionaryPageSize(dictionaryPageSize)
            .withRowGroupSize(48L * 1024)
            .withWriteMode(org.apache.parquet.hadoop.ParquetFileWriter.Mode.OVERWRITE)
            .build()) {
      for (int i = 0; i < ROWS; i++) {
        Group group = groups.newGroup().append("id", (long) i);
        if (i % 5 != 0) {
          group.append("small", i % 100 - 50);
        }
        if (i % 7 != 0) {
          group.append("measure", i * 0.25);
        }
        if (i % 3 != 0) {
          group.append("label", "label-" + (i % 40));
        }
        if (i % 11 != 0) {
          group.append("flag", i % 2 == 0);
        }
        if (i % 13 != 0) {
          group.append("amount", Binary.fromConstantByteArray(fixed16(amount(i).unscaledValue())));
        }
        if (i % 17 != 0) {
          group.append("legacy_ts", new NanoTime(2_460_000 + i % 1000, i * 1_000_000L).toBinary());
        }
        writer.write(group);
      }
    }
  }

  private static BigDecimal amount(int i) {
    return BigDecimal.valueOf((long) i * 1_000_003L - 9_000_000_000L, 4);
  }

  private static byte[] fixed16(BigInteger unscaled) {
    byte[] minimal = unscaled.toByteArray();
    byte[] bytes = new byte[16];
    Arrays.fill(bytes, unscaled.signum() < 0 ? (byte) 0xff : 0);
    System.arraycopy(minimal, 0, bytes, 16 - minimal.length, minimal.length);
    return bytes;
  }

  private static void assertRow(VectorSchemaRoot root, int r, int i) {
    assertThat(((BigIntVector) root.getVector("id")).get(r)).isEqualTo(i);
    IntVector small = (IntVector) root.getVector("small");
    assertThat(small.isNull(r)).isEqualTo(i % 5 == 0);
    if (i % 5 != 0) {
      assertThat(small.get(r)).isEqualTo(i % 100 - 50);
    }
    Float8Vector measure = (Float8Vector) root.getVector("measure");
    assertThat(measure.isNull(r)).isEqualTo(i % 7 == 0);
    if (i % 7 != 0) {
      assertThat(measure.get(r)).isEqualTo(i * 0.25);
    }
    VarCharVector label = (VarCharVector) root.getVector("label");
    assertThat(label.isNull(r)).isEqualTo(i % 3 == 0);
    if (i % 3 != 0) {
      assertThat(label.getObject(r).toString()).isEqualTo("label-" + (i % 40));
    }
    BitVector flag = (BitVector) root.getVector("flag");
    assertThat(flag.isNull(r)).isEqualTo(i % 11 == 0);
    if (i % 11 != 0) {
      assertThat(flag.get(r) == 1).isEqualTo(i % 2 == 0);
    }
    DecimalVector decimal = (DecimalVector) root.getVector("amount");
    assertThat(decimal.isNull(r)).isEqualTo(i % 13 == 0);
    if (i % 13 != 0) {
      assertThat(decimal.getObject(r)).isEqualTo(amount(i));
    }
    TimeStampNanoVector legacy = (TimeStampNanoVector) root.getVector("legacy_ts");
    assertThat(legacy.isNull(r)).isEqualTo(i % 17 == 0);
    if (i % 17 != 0) {
      long days = 2_460_000 + i % 1000 - 2_440_588L;
      assertThat(legacy.get(r)).isEqualTo(days * 86_400_000_000_000L + i * 1_000_000L);
    }
  }
}
