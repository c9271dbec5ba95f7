package dev.quiver.shuffle.exchange;

import dev.quiver.shuffle.partition.HashPartitioner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
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

  /** By the hash of columns {@code keyColumns}, the same on every node. */
  static Partitioning hash(List<Integer> keyColumns, int partitions) {
    HashPartitioner partitioner = new HashPartitioner(partitions);
    List<Integer> keys = List.copyOf(keyColumns);
    return batch -> {
      List<FieldVector> vectors = new ArrayList<>(keys.size());
      for (int key : keys) {
        vectors.add(batch.getVector(key));
      }
      return partitioner.assign(vectors, batch.getRowCount());
    };
  }

  /** Every row to every one of {@code targets} targets: a broadcast. */
  static Partitioning broadcast(int targets) {
    return batch -> {
      int[] all = HashPartitioner.allRows(batch.getRowCount());
      int[][] rows = new int[targets][];
      Arrays.fill(rows, all);
      return rows;
    };
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
