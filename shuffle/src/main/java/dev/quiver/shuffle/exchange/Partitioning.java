package dev.quiver.shuffle.exchange;

import dev.quiver.shuffle.partition.HashPartitioner;
import java.util.Arrays;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * How an exchange splits a batch among its targets: element {@code p} of {@link #assign} lists, in
 * order, the rows of the batch that go to target {@code p}.
 */
@FunctionalInterface
public interface Partitioning {
  int[][] assign(VectorSchemaRoot batch);

  /** By the hash of the first {@code keyColumns} columns, the same on every node. */
  static Partitioning hash(int keyColumns, int partitions) {
    HashPartitioner partitioner = new HashPartitioner(partitions);
    return batch ->
        partitioner.assign(batch.getFieldVectors().subList(0, keyColumns), batch.getRowCount());
  }

  /** Every row to the one target. */
  static Partitioning single() {
    return batch -> new int[][] {HashPartitioner.allRows(batch.getRowCount())};
  }

  /** Nothing to target {@code p}: an empty assignment of {@code partitions} targets. */
  static int[][] none(int partitions) {
    int[][] rows = new int[partitions][];
    Arrays.fill(rows, new int[0]);
    return rows;
  }
}
