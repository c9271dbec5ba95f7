package dev.quiver.parquet.scan;

import dev.quiver.parquet.pushdown.PruningLevel;

/**
 * What a scan did: the counters users read to see why a query was fast or slow. Each pruning level
 * counts only what it skipped itself, so the levels add up: row groups read are {@code rowGroups}
 * minus the four skipped counts.
 *
 * @param files files considered
 * @param filesSkipped files skipped without opening them (partition values, or a predicate that can
 *     never be TRUE in the file)
 * @param rowGroups row groups considered in the files opened
 * @param rowGroupsSkippedByStatistics skipped by column min/max and null counts
 * @param rowGroupsSkippedByDictionary skipped because a dictionary lacks every wanted value
 * @param rowGroupsSkippedByBloomFilter skipped because a bloom filter rules the values out
 * @param rowGroupsSkippedByPageIndex skipped because the column index rules out every page
 * @param pages data pages considered through offset indexes (filtered scans of indexed files)
 * @param pagesSkipped data pages not read because the column index rules out their rows
 * @param bytesRead compressed bytes of the column chunks or pages read from storage
 * @param storageRequests read requests issued to storage for data pages, dictionaries and indexes
 *     (on object storage each is a ranged GET; footers are read when the dataset is loaded)
 * @param storageBytes bytes those requests returned
 * @param rowsDecoded rows decoded into Arrow
 * @param rowsReturned rows passing the filter
 * @param batches batches produced
 */
public record ScanStatistics(
    long files,
    long filesSkipped,
    long rowGroups,
    long rowGroupsSkippedByStatistics,
    long rowGroupsSkippedByDictionary,
    long rowGroupsSkippedByBloomFilter,
    long rowGroupsSkippedByPageIndex,
    long pages,
    long pagesSkipped,
    long bytesRead,
    long storageRequests,
    long storageBytes,
    long rowsDecoded,
    long rowsReturned,
    long batches) {
  public static final ScanStatistics EMPTY =
      new ScanStatistics(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  /** Row groups actually read. */
  public long rowGroupsRead() {
    return rowGroups
        - rowGroupsSkippedByStatistics
        - rowGroupsSkippedByDictionary
        - rowGroupsSkippedByBloomFilter
        - rowGroupsSkippedByPageIndex;
  }

  /** A file that was opened. */
  public static ScanStatistics openedFile() {
    return new ScanStatistics(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  }

  /** Files that were skipped whole. */
  public static ScanStatistics skippedFiles(long files) {
    return new ScanStatistics(files, files, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  }

  /** A file that was skipped whole. */
  public static ScanStatistics skippedFile() {
    return skippedFiles(1);
  }

  /**
   * One row group considered.
   *
   * @param skippedBy the level that skipped it, or null if it was read
   */
  public static ScanStatistics rowGroup(
      PruningLevel skippedBy, long pages, long pagesSkipped, long bytesRead) {
    return new ScanStatistics(
        0,
        0,
        1,
        skippedBy == PruningLevel.STATISTICS ? 1 : 0,
        skippedBy == PruningLevel.DICTIONARY ? 1 : 0,
        skippedBy == PruningLevel.BLOOM_FILTER ? 1 : 0,
        skippedBy == PruningLevel.PAGE_INDEX ? 1 : 0,
        pages,
        pagesSkipped,
        bytesRead,
        0,
        0,
        0,
        0,
        0);
  }

  /** Rows decoded from storage. */
  public static ScanStatistics decoded(long rows) {
    return new ScanStatistics(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, rows, 0, 0);
  }

  /** One batch of rows returned. */
  public static ScanStatistics returnedBatch(long rows) {
    return new ScanStatistics(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, rows, 1);
  }

  /** Read requests issued to storage and the bytes they returned. */
  public static ScanStatistics storageReads(long requests, long bytes) {
    return new ScanStatistics(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, requests, bytes, 0, 0, 0);
  }

  public ScanStatistics plus(ScanStatistics other) {
    return new ScanStatistics(
        files + other.files,
        filesSkipped + other.filesSkipped,
        rowGroups + other.rowGroups,
        rowGroupsSkippedByStatistics + other.rowGroupsSkippedByStatistics,
        rowGroupsSkippedByDictionary + other.rowGroupsSkippedByDictionary,
        rowGroupsSkippedByBloomFilter + other.rowGroupsSkippedByBloomFilter,
        rowGroupsSkippedByPageIndex + other.rowGroupsSkippedByPageIndex,
        pages + other.pages,
        pagesSkipped + other.pagesSkipped,
        bytesRead + other.bytesRead,
        storageRequests + other.storageRequests,
        storageBytes + other.storageBytes,
        rowsDecoded + other.rowsDecoded,
        rowsReturned + other.rowsReturned,
        batches + other.batches);
  }
}
