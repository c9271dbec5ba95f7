package dev.quiver.server.physical;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * How an operator's output rows are spread over the tasks that produce them.
 *
 * @param kind the way rows are spread
 * @param keys for {@link Kind#HASH} and {@link Kind#RANGE}, the output columns that decide a row's
 *     partition; empty otherwise
 * @param partitions how many partitions there are; 0 where it is the number of tasks, not fixed
 */
public record Distribution(Kind kind, List<Integer> keys, int partitions) {
  /** The ways rows can be spread. */
  public enum Kind {
    /** Each task has whatever part of the input it read: splits of files, nodes' own files. */
    ANY,
    /** Every row with equal keys in the same partition. */
    HASH,
    /** Partitions in key order: every row of partition p sorts before every row of p + 1. */
    RANGE,
    /** One partition, on one node. */
    SINGLE,
    /** Every task has every row. */
    REPLICATED
  }

  public Distribution {
    requireNonNull(kind, "kind is null");
    keys = List.copyOf(keys);
    if (partitions < 0) {
      throw new IllegalArgumentException("partitions must not be negative: " + partitions);
    }
  }

  public static final Distribution ANY = new Distribution(Kind.ANY, List.of(), 0);
  public static final Distribution SINGLE = new Distribution(Kind.SINGLE, List.of(), 1);
  public static final Distribution REPLICATED = new Distribution(Kind.REPLICATED, List.of(), 0);

  public static Distribution hash(List<Integer> keys, int partitions) {
    return new Distribution(Kind.HASH, keys, partitions);
  }

  public static Distribution range(List<Integer> keys, int partitions) {
    return new Distribution(Kind.RANGE, keys, partitions);
  }
}
