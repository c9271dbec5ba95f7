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
   * This split cut into consecutive splits of about {@code targetBytes} compressed bytes each (at
   * least one row group each; a row group is never cut), in order. A split without row groups is
   * returned as it is, so that its file's schema is still visited.
   */
  public List<FileSplit> cut(long targetBytes) {
    List<BlockMetaData> rowGroups = file.rowGroups();
    List<FileSplit> splits = new ArrayList<>();
    int start = firstRowGroup;
    long bytes = 0;
    for (int i = firstRowGroup; i < endRowGroup; i++) {
      bytes += rowGroups.get(i).getCompressedSize();
      if (bytes >= targetBytes) {
        splits.add(new FileSplit(file, start, i + 1));
        start = i + 1;
        bytes = 0;
      }
    }
    if (start < endRowGroup || splits.isEmpty()) {
      splits.add(new FileSplit(file, start, endRowGroup));
    }
    return splits;
  }

  /**
   * Cuts a file into splits of consecutive row groups of about {@code targetBytes} compressed bytes
   * each. A file with no row groups yields one empty split so that its schema is still visited.
   */
  public static List<FileSplit> of(DataFile file, long targetBytes) {
    return new FileSplit(file, 0, file.rowGroups().size()).cut(targetBytes);
  }
}
