package dev.quiver.parquet.scan;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.predicate.Constant;
import dev.quiver.parquet.predicate.Predicate;
import java.util.List;

/**
 * What to read from a split.
 *
 * @param columns the columns to return, in output order; already validated against the dataset
 * @param filter the rows to return; its columns are read even when not returned
 * @param maxBatchRows the most rows in one batch
 * @param targetBatchBytes the size a batch aims at; rows per batch adapt to stay near it
 */
public record ScanRequest(
    List<String> columns, Predicate filter, int maxBatchRows, long targetBatchBytes) {
  public static final int DEFAULT_MAX_BATCH_ROWS = 65_536;
  public static final long DEFAULT_TARGET_BATCH_BYTES = 8L << 20;

  public ScanRequest {
    columns = List.copyOf(requireNonNull(columns, "columns is null"));
    requireNonNull(filter, "filter is null");
    if (maxBatchRows <= 0) {
      throw new IllegalArgumentException("maxBatchRows must be positive: " + maxBatchRows);
    }
    if (targetBatchBytes <= 0) {
      throw new IllegalArgumentException("targetBatchBytes must be positive: " + targetBatchBytes);
    }
  }

  /** All rows of {@code columns}. */
  public static ScanRequest of(List<String> columns) {
    return of(columns, Constant.TRUE);
  }

  /** The rows of {@code columns} where {@code filter} is TRUE. */
  public static ScanRequest of(List<String> columns, Predicate filter) {
    return new ScanRequest(columns, filter, DEFAULT_MAX_BATCH_ROWS, DEFAULT_TARGET_BATCH_BYTES);
  }
}
