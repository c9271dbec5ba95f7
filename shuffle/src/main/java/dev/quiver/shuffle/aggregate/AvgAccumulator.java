package dev.quiver.shuffle.aggregate;

import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;

/** AVG: a sum and a count of non-null values as state, their quotient as a DOUBLE result. */
final class AvgAccumulator implements Accumulator {
  private final SumAccumulator sum;
  private final CountAccumulator count;

  AvgAccumulator(SumAccumulator sum, CountAccumulator count) {
    this.sum = sum;
    this.count = count;
  }

  @Override
  public void ensureGroups(int groups) {
    sum.ensureGroups(groups);
    count.ensureGroups(groups);
  }

  @Override
  public void update(FieldVector input, int[] groups, int rows) {
    sum.update(input, groups, rows);
    count.update(input, groups, rows);
  }

  @Override
  public void merge(List<FieldVector> state, int[] groups, int rows) {
    sum.merge(state.subList(0, 1), groups, rows);
    count.merge(state.subList(1, 2), groups, rows);
  }

  @Override
  public void exportState(List<FieldVector> targets, int groupCount) {
    sum.exportState(targets.subList(0, 1), groupCount);
    count.exportState(targets.subList(1, 2), groupCount);
  }

  @Override
  public void exportResult(FieldVector target, int groupCount) {
    ensureGroups(groupCount);
    Float8Vector averages = (Float8Vector) target;
    averages.allocateNew(groupCount);
    for (int g = 0; g < groupCount; g++) {
      long n = count.count(g);
      if (n == 0) {
        averages.setNull(g);
      } else {
        averages.set(g, sum.sumAsDouble(g) / n);
      }
    }
    averages.setValueCount(groupCount);
  }

  @Override
  public void close() {
    sum.close();
    count.close();
  }
}
