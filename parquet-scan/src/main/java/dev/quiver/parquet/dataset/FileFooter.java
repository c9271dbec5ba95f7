package dev.quiver.parquet.dataset;

import static java.util.Objects.requireNonNull;

import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;

/**
 * A file's footer and the Arrow schema it maps to.
 *
 * @param metadata the Parquet footer: schema, row groups, statistics
 * @param schema the file's own Arrow schema
 */
record FileFooter(ParquetMetadata metadata, Schema schema) {
  FileFooter {
    requireNonNull(metadata, "metadata is null");
    requireNonNull(schema, "schema is null");
  }
}
