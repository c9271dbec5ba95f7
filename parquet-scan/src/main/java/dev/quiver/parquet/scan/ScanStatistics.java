package dev.quiver.parquet.scan;

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
    long rowsDecoded,
    long rowsReturned,
    long batches) {
  public static final ScanStatistics EMPTY =
      new ScanStatistics(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  /** Row groups actually read. */
  public long rowGroupsRead() {
    return rowGroups
        - rowGroupsSkippedByStatistics
        - rowGroupsSkippedByDictionary
        - rowGroupsSkippedByBloomFilter
        - rowGroupsSkippedByPageIndex;
  }

  /** A file that was skipped whole. */
  public static ScanStatistics skippedFile() {
    return new ScanStatistics(1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
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
        rowsDecoded + other.rowsDecoded,
        rowsReturned + other.rowsReturned,
        batches + other.batches);
  }
}
