package dev.quiver.parquet.scan;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.dataset.DataFile;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.hadoop.metadata.BlockMetaData;

/**
 * A unit of parallel work: row groups {@code [firstRowGroup, endRowGroup)} of one file.
 *
 * @param file the file
 * @param firstRowGroup the first row group, inclusive
 * @param endRowGroup the last row group, exclusive
 */
public record FileSplit(DataFile file, int firstRowGroup, int endRowGroup) {
  public FileSplit {
    requireNonNull(file, "file is null");
    int rowGroups = file.rowGroups().size();
    if (firstRowGroup < 0 || endRowGroup < firstRowGroup || endRowGroup > rowGroups) {
      throw new IllegalArgumentException(
          "Cannot split "
              + file.location()
              + " at row groups ["
              + firstRowGroup
              + ", "
              + endRowGroup
              + "): it has "
              + rowGroups);
    }
  }

  public long rowCount() {
    long rows = 0;
    for (int i = firstRowGroup; i < endRowGroup; i++) {
      rows += file.rowGroups().get(i).getRowCount();
    }
    return rows;
  }

  public long compressedBytes() {
    long bytes = 0;
    for (int i = firstRowGroup; i < endRowGroup; i++) {
      bytes += file.rowGroups().get(i).getCompressedSize();
    }
    return bytes;
  }

  /**
   * This split as one split per row group, in order; a split without row groups is returned as it
   * is (its file's schema must still be visited).
   */
  public List<FileSplit> byRowGroup() {
    if (endRowGroup - firstRowGroup <= 1) {
      return List.of(this);
    }
    List<FileSplit> single = new ArrayList<>(endRowGroup - firstRowGroup);
    for (int i = firstRowGroup; i < endRowGroup; i++) {
      single.add(new FileSplit(file, i, i + 1));
    }
    return single;
  }

  /**
   * Cuts a file into splits of consecutive row groups of about {@code targetBytes} compressed bytes
   * each. A file with no row groups yields one empty split so that its schema is still visited.
   */
  public static List<FileSplit> of(DataFile file, long targetBytes) {
    List<BlockMetaData> rowGroups = file.rowGroups();
    List<FileSplit> splits = new ArrayList<>();
    int start = 0;
    long bytes = 0;
    for (int i = 0; i < rowGroups.size(); i++) {
      bytes += rowGroups.get(i).getCompressedSize();
      if (bytes >= targetBytes) {
        splits.add(new FileSplit(file, start, i + 1));
        start = i + 1;
        bytes = 0;
      }
    }
    if (start < rowGroups.size() || splits.isEmpty()) {
      splits.add(new FileSplit(file, start, rowGroups.size()));
    }
    return splits;
  }
}
