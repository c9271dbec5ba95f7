package dev.quiver.parquet.dataset;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;
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
 */
public record DataFile(Path path, ParquetMetadata footer, Schema schema, long sizeBytes) {
  public DataFile {
    requireNonNull(path, "path is null");
    requireNonNull(footer, "footer is null");
    requireNonNull(schema, "schema is null");
  }

  public List<BlockMetaData> rowGroups() {
    return footer.getBlocks();
  }

  public long rowCount() {
    return rowGroups().stream().mapToLong(BlockMetaData::getRowCount).sum();
  }
}
