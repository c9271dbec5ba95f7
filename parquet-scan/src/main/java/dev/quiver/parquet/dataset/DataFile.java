package dev.quiver.parquet.dataset;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.storage.StoredFile;
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
 * @param stored where the file is, with the length and modification time its footer was read at
 * @param footer the file's metadata: schema, row groups, statistics
 * @param schema the file's own Arrow schema (before unification with other files)
 * @param partitionValues the values of the dataset's Hive partition columns for this file, from its
 *     directory names ({@code year=2024/}); canonical predicate values ({@link Long} or {@link
 *     String}), null for Hive's default partition
 */
public record DataFile(
    StoredFile stored, ParquetMetadata footer, Schema schema, Map<String, Object> partitionValues) {
  public DataFile {
    requireNonNull(stored, "stored is null");
    requireNonNull(footer, "footer is null");
    requireNonNull(schema, "schema is null");
    partitionValues =
        Collections.unmodifiableMap(
            new LinkedHashMap<>(requireNonNull(partitionValues, "partitionValues is null")));
  }

  /** A file outside any partition directory. */
  public DataFile(StoredFile stored, ParquetMetadata footer, Schema schema) {
    this(stored, footer, schema, Map.of());
  }

  /** This file with its partition values set. */
  public DataFile withPartitionValues(Map<String, Object> values) {
    return new DataFile(stored, footer, schema, values);
  }

  /** The file's absolute local path or URI. */
  public String location() {
    return stored.location();
  }

  /** The file's length in bytes. */
  public long sizeBytes() {
    return stored.length();
  }

  public List<BlockMetaData> rowGroups() {
    return footer.getBlocks();
  }

  public long rowCount() {
    return rowGroups().stream().mapToLong(BlockMetaData::getRowCount).sum();
  }
}
