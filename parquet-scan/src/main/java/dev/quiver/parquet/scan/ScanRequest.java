package dev.quiver.parquet.scan;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What to read from a split.
 *
 * @param columns the columns to decode, in output order; already validated against the dataset
 * @param maxBatchRows the most rows in one batch
 * @param targetBatchBytes the size a batch aims at; rows per batch adapt to stay near it
 */
public record ScanRequest(List<String> columns, int maxBatchRows, long targetBatchBytes) {
  public static final int DEFAULT_MAX_BATCH_ROWS = 65_536;
  public static final long DEFAULT_TARGET_BATCH_BYTES = 8L << 20;

  public ScanRequest {
    columns = List.copyOf(requireNonNull(columns, "columns is null"));
    if (maxBatchRows <= 0) {
      throw new IllegalArgumentException("maxBatchRows must be positive: " + maxBatchRows);
    }
    if (targetBatchBytes <= 0) {
      throw new IllegalArgumentException("targetBatchBytes must be positive: " + targetBatchBytes);
    }
  }

  public static ScanRequest of(List<String> columns) {
    return new ScanRequest(columns, DEFAULT_MAX_BATCH_ROWS, DEFAULT_TARGET_BATCH_BYTES);
  }
}
