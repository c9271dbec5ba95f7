package dev.quiver.client.cli;

import dev.quiver.client.QueryStatistics;
import java.io.PrintStream;

/** Prints a query's scan statistics as a few readable lines. */
final class StatisticsPrinter {
  private StatisticsPrinter() {}

  static void print(QueryStatistics s, PrintStream err) {
    err.printf(
        "files:      %,d considered, %,d skipped by partition or column values%n",
        s.get("files"), s.get("filesSkipped"));
    long skipped =
        s.get("rowGroupsSkippedByStatistics")
            + s.get("rowGroupsSkippedByDictionary")
            + s.get("rowGroupsSkippedByBloomFilter")
            + s.get("rowGroupsSkippedByPageIndex");
    err.printf(
        "row groups: %,d considered, %,d read, %,d skipped (statistics %,d, dictionary %,d,"
            + " bloom filter %,d, page index %,d)%n",
        s.get("rowGroups"),
        s.get("rowGroups") - skipped,
        skipped,
        s.get("rowGroupsSkippedByStatistics"),
        s.get("rowGroupsSkippedByDictionary"),
        s.get("rowGroupsSkippedByBloomFilter"),
        s.get("rowGroupsSkippedByPageIndex"));
    err.printf(
        "pages:      %,d indexed, %,d skipped by the page index%n",
        s.get("pages"), s.get("pagesSkipped"));
    err.printf(
        "rows:       %,d decoded, %,d returned; %s read%n",
        s.get("rowsDecoded"), s.get("rowsReturned"), Sizes.human(s.get("bytesRead")));
    err.flush();
  }
}
