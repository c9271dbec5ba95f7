package dev.quiver.parquet.dataset;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A named set of Parquet files served as one table.
 *
 * @param name the name clients use
 * @param location the configured path, directory or glob
 * @param files the files, in a stable order (sorted by path)
 * @param schema the schema unified across all files
 */
public record Dataset(String name, String location, List<DataFile> files, Schema schema) {
  public Dataset {
    requireNonNull(name, "name is null");
    requireNonNull(location, "location is null");
    files = List.copyOf(requireNonNull(files, "files is null"));
    requireNonNull(schema, "schema is null");
  }

  public long rowCount() {
    return files.stream().mapToLong(DataFile::rowCount).sum();
  }

  public long sizeBytes() {
    return files.stream().mapToLong(DataFile::sizeBytes).sum();
  }

  /** Whether {@code column} comes from Hive partition directories rather than the files. */
  public boolean isPartitionColumn(String column) {
    return !files.isEmpty() && files.get(0).partitionValues().containsKey(column);
  }

  public Optional<Field> field(String column) {
    return schema.getFields().stream().filter(f -> f.getName().equals(column)).findFirst();
  }
}
