package dev.quiver.parquet.dataset;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.storage.StoredFile;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;

/**
 * One Parquet file of a dataset with its footer: read when the dataset is loaded, or, for a dataset
 * loaded with lazy footers, when a query first needs this file (through a {@link FooterCache}), so
 * that files a query prunes by partition are never opened.
 *
 * <p>Two files are equal when they are the same stored file with the same partition values.
 * Thread-safe.
 */
public final class DataFile {
  private final StoredFile stored;
  private final Map<String, Object> partitionValues;
  private final FileFooter eager;
  private final FooterCache cache;

  private DataFile(
      StoredFile stored, Map<String, Object> partitionValues, FileFooter eager, FooterCache cache) {
    this.stored = requireNonNull(stored, "stored is null");
    this.partitionValues =
        Collections.unmodifiableMap(
            new LinkedHashMap<>(requireNonNull(partitionValues, "partitionValues is null")));
    this.eager = eager;
    this.cache = cache;
  }

  /**
   * A file whose footer is read already.
   *
   * @param stored where the file is, with the length and modification time its footer was read at
   * @param footer the file's metadata: schema, row groups, statistics
   * @param schema the file's own Arrow schema (before unification with other files)
   * @param partitionValues the values of the dataset's Hive partition columns for this file, from
   *     its directory names ({@code year=2024/}); canonical predicate values ({@link Long} or
   *     {@link String}), null for Hive's default partition
   */
  public DataFile(
      StoredFile stored,
      ParquetMetadata footer,
      Schema schema,
      Map<String, Object> partitionValues) {
    this(stored, partitionValues, new FileFooter(footer, schema), null);
  }

  /** A file outside any partition directory, its footer read already. */
  public DataFile(StoredFile stored, ParquetMetadata footer, Schema schema) {
    this(stored, footer, schema, Map.of());
  }

  /** A file whose footer is read from {@code cache} when first needed (and again if evicted). */
  public static DataFile lazy(
      StoredFile stored, Map<String, Object> partitionValues, FooterCache cache) {
    return new DataFile(stored, partitionValues, null, requireNonNull(cache, "cache is null"));
  }

  /** This file with its partition values set. */
  public DataFile withPartitionValues(Map<String, Object> values) {
    return new DataFile(stored, values, eager, cache);
  }

  public StoredFile stored() {
    return stored;
  }

  public Map<String, Object> partitionValues() {
    return partitionValues;
  }

  /**
   * The file's metadata: schema, row groups, statistics.
   *
   * @throws InvalidDatasetException naming the file if a lazily read footer cannot be read
   */
  public ParquetMetadata footer() {
    return fileFooter().metadata();
  }

  /** The file's own Arrow schema (before unification with other files). */
  public Schema schema() {
    return fileFooter().schema();
  }

  /** Whether the footer is in memory now, so that using it reads nothing. */
  public boolean footerLoaded() {
    return eager != null || cache.contains(stored);
  }

  private FileFooter fileFooter() {
    return eager != null ? eager : cache.get(stored);
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
    return footer().getBlocks();
  }

  public long rowCount() {
    return rowGroups().stream().mapToLong(BlockMetaData::getRowCount).sum();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof DataFile file
        && stored.equals(file.stored)
        && partitionValues.equals(file.partitionValues);
  }

  @Override
  public int hashCode() {
    return Objects.hash(stored, partitionValues);
  }

  @Override
  public String toString() {
    return "DataFile[" + stored.location() + (eager != null ? "" : ", lazy footer") + "]";
  }
}
