package dev.quiver.client.cli;

import dev.quiver.client.QueryStatistics;
import dev.quiver.client.QueryStatistics.PeerStatistics;
import java.io.PrintStream;

/** Prints a query's scan statistics as a few readable lines. */
public final class StatisticsPrinter {
  private StatisticsPrinter() {}

  /** The stages of a distributed aggregation, one line per node. */
  private static void printStages(QueryStatistics s, PrintStream err) {
    boolean shuffled = "shuffle".equals(s.label("strategy"));
    err.printf(
        "query:      %s on %,d node(s); %,d partial groups %s%n",
        s.label("query"),
        s.get("nodes"),
        s.get("partialGroups"),
        shuffled
            ? "hash-shuffled to their owners (" + Sizes.human(s.get("bytesShuffled")) + " sent)"
            : "gathered on the coordinator (small enough to skip the shuffle)");
    err.printf(
        "%-28s %12s %9s %9s %9s %9s %8s %8s %8s%n",
        "node",
        "rows read",
        "partials",
        "sent",
        "received",
        "groups",
        "scan ms",
        "shfl ms",
        "final ms");
    for (PeerStatistics peer : s.peers()) {
      err.printf(
          "%-28s %,12d %,9d %9s %9s %,9d %,8d %,8d %,8d%n",
          peer.peer().replace("grpc+tcp://", ""),
          peer.get("rowsScanned"),
          peer.get("partialGroups"),
          Sizes.human(peer.get("bytesOut")),
          Sizes.human(peer.get("bytesIn")),
          peer.get("finalGroups"),
          peer.get("scanMillis"),
          peer.get("shuffleMillis"),
          peer.get("finalMillis"));
    }
  }

  /** What each operator of the stage plan did, as EXPLAIN ANALYZE counts it. */
  private static void printOperators(QueryStatistics s, PrintStream err) {
    err.printf("%-5s %-60s %12s %8s %9s%n", "stage", "operator", "rows", "batches", "ms");
    for (QueryStatistics.OperatorStatistics operator : s.operators()) {
      String name = "  ".repeat(operator.depth()) + operator.operator();
      if (name.length() > 60) {
        name = name.substring(0, 57) + "...";
      }
      err.printf(
          "%-5d %-60s %,12d %,8d %,9d%n",
          operator.stage(), name, operator.rows(), operator.batches(), operator.millis());
    }
  }

  public static void print(QueryStatistics s, PrintStream err) {
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
    if (s.label("strategy") != null) {
      printStages(s, err);
    }
    if (!s.operators().isEmpty()) {
      printOperators(s, err);
    }
    err.flush();
  }
}
