package dev.quiver.parquet.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.parquet.dataset.DatasetLoader;
import dev.quiver.parquet.predicate.ComparisonOperator;
import dev.quiver.parquet.predicate.Comparisons;
import dev.quiver.parquet.predicate.Predicate;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each pushdown level skips what it can prove does not match, and never what does: files written by
 * parquet-java with statistics, dictionaries, bloom filters and page indexes turned on and off.
 */
class PushdownLevelsTest {
  private static final int ROWS = 100_000;
  private static final MessageType SCHEMA =
      MessageTypeParser.parseMessageType(
          """
          message m {
            required int64 id;
            required int64 key;
            optional binary label (STRING);
          }
          """);

  @TempDir Path dir;

  /** Sorted ids, scattered unique keys (every third odd number is absent), labels without 17. */
  private static long key(long id) {
    return (id * 7_919L) % 1_000_003L * 2 + 1;
  }

  private Dataset write(String name, Consumer<ExampleParquetWriter.Builder> settings)
      throws IOException {
    Path file = dir.resolve(name).resolve("data.parquet");
    file.getParent().toFile().mkdirs();
    ExampleParquetWriter.Builder builder =
        ExampleParquetWriter.builder(new LocalOutputFile(file))
            .withType(SCHEMA)
            .withCompressionCodec(CompressionCodecName.SNAPPY)
            .withRowGroupSize(256L * 1024)
            .withPageRowCountLimit(1_000)
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE);
    settings.accept(builder);
    SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);
    try (ParquetWriter<Group> writer = builder.build()) {
      for (long id = 0; id < ROWS; id++) {
        Group group = groups.newGroup().append("id", id).append("key", key(id));
        long label = id % 40;
        if (label != 17) {
          group.append("label", "label-" + label);
        }
        writer.write(group);
      }
    }
    return DatasetLoader.load(name, file.getParent().toString());
  }

  private static DatasetScan scan(Dataset dataset, Predicate predicate) {
    return DatasetScan.run(dataset, ScanRequest.of(List.of("id"), predicate), 1L << 30);
  }

  private static List<String> ids(LongStream ids) {
    return ids.mapToObj(Long::toString).toList();
  }

  @Test
  void statisticsSkipRowGroupsAndThePageIndexSkipsPagesOfARange() throws IOException {
    Dataset dataset = write("indexed", b -> {});
    Predicate range =
        dev.quiver.parquet.predicate.Predicates.and(
            List.of(
                Comparisons.compare(field(dataset, "id"), ComparisonOperator.GE, 50_000),
                Comparisons.compare(field(dataset, "id"), ComparisonOperator.LT, 50_100)));
    DatasetScan scan = scan(dataset, range);
    assertThat(scan.rows()).isEqualTo(ids(LongStream.range(50_000, 50_100)));
    ScanStatistics statistics = scan.statistics();
    assertThat(statistics.rowGroups()).isGreaterThan(2);
    assertThat(statistics.rowGroupsRead()).isEqualTo(1);
    assertThat(statistics.rowGroupsSkippedByStatistics()).isEqualTo(statistics.rowGroups() - 1);
    assertThat(statistics.pagesSkipped()).isPositive();
    assertThat(statistics.rowsDecoded()).as("only the matching page is decoded").isEqualTo(1_000);
  }

  @Test
  void aDictionaryWithoutTheValueSkipsTheRowGroup() throws IOException {
    Dataset dataset = write("dictionary", b -> b.withDictionaryEncoding(true));
    Predicate absent =
        Comparisons.compare(field(dataset, "label"), ComparisonOperator.EQ, "label-17");
    DatasetScan none = scan(dataset, absent);
    assertThat(none.rows()).isEmpty();
    assertThat(none.statistics().rowGroupsSkippedByDictionary())
        .as("label-17 lies between label-16 and label-18, so only the dictionary rules it out")
        .isEqualTo(none.statistics().rowGroups());

    Predicate present =
        Comparisons.compare(field(dataset, "label"), ComparisonOperator.EQ, "label-18");
    DatasetScan some = scan(dataset, present);
    assertThat(some.rows()).isEqualTo(ids(LongStream.range(0, ROWS).filter(i -> i % 40 == 18)));
    assertThat(some.statistics().rowGroupsSkippedByDictionary()).isZero();
  }

  @Test
  void aBloomFilterRulesOutAbsentKeysButNeverPresentOnes() throws IOException {
    Dataset dataset =
        write(
            "bloom",
            b ->
                b.withDictionaryEncoding(false)
                    .withBloomFilterEnabled("key", true)
                    .withBloomFilterNDV("key", ROWS)
                    .withBloomFilterFPP("key", 0.001));
    long absent = 1_000_002L; // even: no key is even
    DatasetScan none =
        scan(dataset, Comparisons.compare(field(dataset, "key"), ComparisonOperator.EQ, absent));
    assertThat(none.rows()).isEmpty();
    assertThat(none.statistics().rowGroupsSkippedByBloomFilter())
        .isGreaterThanOrEqualTo(none.statistics().rowGroups() - 1)
        .isPositive();

    List<Object> present = new ArrayList<>();
    for (long id : new long[] {3, 40_000, 99_999}) {
      present.add(key(id));
    }
    DatasetScan some = scan(dataset, Comparisons.in(field(dataset, "key"), present));
    assertThat(some.rows()).containsExactlyInAnyOrder("3", "40000", "99999");
  }

  @Test
  void withoutStatisticsNothingIsSkippedAndTheRowsAreStillExact() throws IOException {
    Dataset dataset =
        write("bare", b -> b.withStatisticsEnabled(false).withDictionaryEncoding(false));
    Predicate range = Comparisons.compare(field(dataset, "id"), ComparisonOperator.LT, 10);
    DatasetScan scan = scan(dataset, range);
    assertThat(scan.rows()).isEqualTo(ids(LongStream.range(0, 10)));
    assertThat(scan.statistics().rowGroupsSkippedByStatistics()).isZero();
    assertThat(scan.statistics().rowsDecoded()).isLessThanOrEqualTo(ROWS);
  }

  private static org.apache.arrow.vector.types.pojo.Field field(Dataset dataset, String name) {
    return dataset.field(name).orElseThrow();
  }
}
