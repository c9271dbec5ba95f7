package dev.quiver.parquet.scan;

/**
 * What a scan did: the counters users read to see why a query was fast or slow.
 *
 * @param files files opened
 * @param rowGroups row groups read
 * @param bytesRead compressed bytes of the column chunks read from storage
 * @param rowsDecoded rows decoded into Arrow
 * @param batches batches produced
 */
public record ScanStatistics(
    long files, long rowGroups, long bytesRead, long rowsDecoded, long batches) {
  public static final ScanStatistics EMPTY = new ScanStatistics(0, 0, 0, 0, 0);

  public ScanStatistics plus(ScanStatistics other) {
    return new ScanStatistics(
        files + other.files,
        rowGroups + other.rowGroups,
        bytesRead + other.bytesRead,
        rowsDecoded + other.rowsDecoded,
        batches + other.batches);
  }
}
