package dev.quiver.server.cluster;

import dev.quiver.parquet.scan.FileSplit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Hands splits of a shared dataset out to nodes so that each reads about as many bytes. */
public final class SplitAssigner {
  private SplitAssigner() {}

  /**
   * Splits {@code splits} into {@code nodes} lists, largest split first to the least loaded node.
   * Every split lands in exactly one list; a list may be empty when there are fewer splits.
   */
  public static List<List<FileSplit>> balance(List<FileSplit> splits, int nodes) {
    List<List<FileSplit>> assigned = new ArrayList<>();
    long[] load = new long[nodes];
    for (int n = 0; n < nodes; n++) {
      assigned.add(new ArrayList<>());
    }
    List<FileSplit> largestFirst = new ArrayList<>(splits);
    largestFirst.sort(Comparator.comparingLong(FileSplit::compressedBytes).reversed());
    for (FileSplit split : largestFirst) {
      int least = 0;
      for (int n = 1; n < nodes; n++) {
        if (load[n] < load[least]) {
          least = n;
        }
      }
      assigned.get(least).add(split);
      load[least] += split.compressedBytes();
    }
    return assigned;
  }
}
