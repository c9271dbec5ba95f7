package dev.quiver.parquet.schema;

/**
 * A Parquet file uses a feature Quiver cannot read yet; the message names file, column and feature.
 */
public final class UnsupportedParquetFeatureException extends RuntimeException {
  public UnsupportedParquetFeatureException(String message) {
    super(message);
  }
}
