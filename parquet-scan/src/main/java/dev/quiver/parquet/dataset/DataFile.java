package dev.quiver.parquet.dataset;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;

/**
 * One Parquet file of a dataset with its footer, read once when the dataset is loaded.
 *
 * @param path where the file is
 * @param footer the file's metadata: schema, row groups, statistics
 * @param schema the file's own Arrow schema (before unification with other files)
 * @param sizeBytes the file's length in bytes
 * @param partitionValues the values of the dataset's Hive partition columns for this file, from its
 *     directory names ({@code year=2024/}); canonical predicate values ({@link Long} or {@link
 *     String}), null for Hive's default partition
 */
public record DataFile(
    Path path,
    ParquetMetadata footer,
    Schema schema,
    long sizeBytes,
    Map<String, Object> partitionValues) {
  public DataFile {
    requireNonNull(path, "path is null");
    requireNonNull(footer, "footer is null");
    requireNonNull(schema, "schema is null");
    partitionValues =
        Collections.unmodifiableMap(
            new LinkedHashMap<>(requireNonNull(partitionValues, "partitionValues is null")));
  }

  /** A file outside any partition directory. */
  public DataFile(Path path, ParquetMetadata footer, Schema schema, long sizeBytes) {
    this(path, footer, schema, sizeBytes, Map.of());
  }

  /** This file with its partition values set. */
  public DataFile withPartitionValues(Map<String, Object> values) {
    return new DataFile(path, footer, schema, sizeBytes, values);
  }

  public List<BlockMetaData> rowGroups() {
    return footer.getBlocks();
  }

  public long rowCount() {
    return rowGroups().stream().mapToLong(BlockMetaData::getRowCount).sum();
  }
}
