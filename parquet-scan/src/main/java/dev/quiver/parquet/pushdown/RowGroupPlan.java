package dev.quiver.parquet.pushdown;

import org.apache.parquet.filter2.columnindex.RowRanges;

/**
 * What to read of one row group.
 *
 * @param skippedBy the level that ruled the whole row group out, or null to read it
 * @param rows the rows to read when only some pages can match; null to read all rows
 * @param pages data pages of the read columns known through offset indexes
 * @param pagesSkipped of those, the pages no wanted row lies in
 * @param bytes compressed bytes of the chunks or pages to read
 */
public record RowGroupPlan(
    PruningLevel skippedBy, RowRanges rows, long pages, long pagesSkipped, long bytes) {
  public boolean skipped() {
    return skippedBy != null;
  }
}
