package dev.quiver.shuffle.exchange;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The sending side of an exchange: splits batches among targets by a {@link Partitioning} (hash,
 * range or single) and sends each target its rows, through the same {@link ExchangeTarget} contract
 * whether the target is this node or another.
 */
public final class ExchangeSink {
  private ExchangeSink() {}

  /**
   * What was sent: Arrow bytes per target, in the targets' order, and the rows that left this
   * process.
   */
  public record Sent(List<Long> bytes, long rowsOut) {
    public Sent {
      bytes = List.copyOf(bytes);
    }

    /** Nothing sent to any of {@code targets} targets. */
    public static Sent none(int targets) {
      return new Sent(Collections.nCopies(targets, 0L), 0);
    }

    /** What this and {@code other} (to the same targets) sent together. */
    public Sent plus(Sent other) {
      if (other.bytes.size() != bytes.size()) {
        throw new IllegalArgumentException("Sends to different targets");
      }
      List<Long> sum = new ArrayList<>();
      for (int t = 0; t < bytes.size(); t++) {
        sum.add(bytes.get(t) + other.bytes.get(t));
      }
      return new Sent(sum, rowsOut + other.rowsOut);
    }
  }

  /**
   * Sends every row of {@code batches} to the target {@code partitioning} assigns it to. The
   * batches are only read; the caller still owns them.
   */
  public static Sent send(
      List<VectorSchemaRoot> batches, Partitioning partitioning, List<ExchangeTarget> targets) {
    List<int[][]> assigned = new ArrayList<>();
    for (VectorSchemaRoot batch : batches) {
      int[][] rows = partitioning.assign(batch);
      if (rows.length != targets.size()) {
        throw new IllegalArgumentException(
            "The partitioning has "
                + rows.length
                + " partitions for "
                + targets.size()
                + " targets");
      }
      assigned.add(rows);
    }
    List<Long> bytes = new ArrayList<>();
    long rowsOut = 0;
    for (int p = 0; p < targets.size(); p++) {
      List<Slice> slices = new ArrayList<>();
      long rows = 0;
      for (int b = 0; b < batches.size(); b++) {
        int[] selected = assigned.get(b)[p];
        if (selected.length > 0) {
          slices.add(new Slice(batches.get(b), selected));
          rows += selected.length;
        }
      }
      ExchangeTarget target = targets.get(p);
      bytes.add(target.send(slices));
      if (target.isRemote()) {
        rowsOut += rows;
      }
    }
    return new Sent(bytes, rowsOut);
  }
}
