package dev.quiver.server.query;

import dev.quiver.parquet.predicate.BatchFilter;
import dev.quiver.parquet.predicate.Constant;
import dev.quiver.parquet.predicate.Predicates;
import dev.quiver.server.sql.AggregatePlan;
import dev.quiver.shuffle.partition.HashPartitioner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.util.Text;

/**
 * Turns final groups into the answer: HAVING, then ORDER BY over the groups of every owner, then
 * LIMIT, then the select list's columns and names.
 *
 * <p>Groups arrive as roots in the plan's result layout; the assembler owns them once added and
 * frees them on close. Without ORDER BY, LIMIT keeps the first rows in arrival order.
 */
final class ResultAssembler implements AutoCloseable {
  private final AggregatePlan plan;
  private final List<VectorSchemaRoot> parts = new ArrayList<>();
  private long[] order;

  ResultAssembler(AggregatePlan plan) {
    this.plan = plan;
  }

  /**
   * Keeps the groups of {@code result} that pass HAVING, and closes {@code result}.
   *
   * @return the kept groups, which the caller owns
   */
  static VectorSchemaRoot having(
      AggregatePlan plan, VectorSchemaRoot result, BufferAllocator allocator) {
    if (plan.having().equals(Constant.TRUE) || result.getRowCount() == 0) {
      return result;
    }
    try (result) {
      BatchFilter filter =
          BatchFilter.compile(Predicates.normalize(plan.having()), result.getSchema());
      int[] selection = new int[result.getRowCount()];
      int kept = filter.select(result, selection);
      return HashPartitioner.copyRows(result, selection, 0, kept, allocator);
    }
  }

  /** Adds final groups that already passed HAVING; takes ownership of {@code groups}. */
  void add(VectorSchemaRoot groups) {
    parts.add(groups);
    order = null;
  }

  /** Number of final groups added, before ORDER BY and LIMIT. */
  int groupCount() {
    return parts.stream().mapToInt(VectorSchemaRoot::getRowCount).sum();
  }

  /** Number of rows of the answer. */
  int rowCount() {
    return rows().length;
  }

  /** Fills {@code out} (in the plan's output schema) with answer rows {@code [from, to)}. */
  void fill(VectorSchemaRoot out, int from, int to) {
    long[] rows = rows();
    List<AggregatePlan.Output> outputs = plan.outputs();
    for (int c = 0; c < outputs.size(); c++) {
      FieldVector target = out.getVector(c);
      target.setInitialCapacity(to - from);
      target.allocateNew();
      int column = outputs.get(c).column();
      for (int i = from; i < to; i++) {
        long row = rows[i];
        target.copyFromSafe((int) row, i - from, parts.get((int) (row >>> 32)).getVector(column));
      }
      target.setValueCount(to - from);
    }
    out.setRowCount(to - from);
  }

  /** The answer's rows as (part index << 32 | row), sorted and limited. */
  private long[] rows() {
    if (order != null) {
      return order;
    }
    int total = parts.stream().mapToInt(VectorSchemaRoot::getRowCount).sum();
    Long[] rows = new Long[total];
    int i = 0;
    for (int p = 0; p < parts.size(); p++) {
      for (int r = 0; r < parts.get(p).getRowCount(); r++) {
        rows[i++] = ((long) p << 32) | r;
      }
    }
    if (!plan.order().isEmpty()) {
      Arrays.sort(rows, comparator());
    }
    long limit = Math.min(total, plan.limit().orElse(Long.MAX_VALUE));
    order = new long[(int) limit];
    for (int r = 0; r < limit; r++) {
      order[r] = rows[r];
    }
    return order;
  }

  private Comparator<Long> comparator() {
    return (a, b) -> {
      for (AggregatePlan.SortKey key : plan.order()) {
        Object x = value(a, key.column());
        Object y = value(b, key.column());
        int comparison;
        if (x == null || y == null) {
          comparison = x == y ? 0 : (x == null) == key.nullsFirst() ? -1 : 1;
        } else {
          comparison = compareValues(x, y);
          if (key.descending()) {
            comparison = -comparison;
          }
        }
        if (comparison != 0) {
          return comparison;
        }
      }
      return 0;
    };
  }

  private Object value(long row, int column) {
    FieldVector vector = parts.get((int) (row >>> 32)).getVector(column);
    int index = (int) row;
    return vector.isNull(index) ? null : vector.getObject(index);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static int compareValues(Object x, Object y) {
    if (x instanceof Text a && y instanceof Text b) {
      return Arrays.compareUnsigned(
          a.getBytes(), 0, (int) a.getLength(), b.getBytes(), 0, (int) b.getLength());
    }
    if (x instanceof byte[] a && y instanceof byte[] b) {
      return Arrays.compareUnsigned(a, b);
    }
    return ((Comparable) x).compareTo(y);
  }

  @Override
  public void close() {
    parts.forEach(VectorSchemaRoot::close);
    parts.clear();
  }
}
