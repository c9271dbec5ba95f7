/**
 * Scanning: a split of a Parquet file (a range of row groups) read into Arrow batches with
 * projection pushdown. The caller owns the allocator; the reader owns its batches. Depends on the
 * dataset, schema and decode packages; knows nothing of Flight.
 */
package dev.quiver.parquet.scan;
