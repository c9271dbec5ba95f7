package dev.quiver.server.query;

import dev.quiver.server.exec.ProjectOperator;
import dev.quiver.server.exec.Sorter;
import dev.quiver.server.expression.Evaluator;
import dev.quiver.server.expression.Expression;
import dev.quiver.server.sql.AggregatePlan;
import dev.quiver.server.sql.Projection;
import dev.quiver.shuffle.aggregate.HashAggregator;
import dev.quiver.shuffle.partition.HashPartitioner;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Turns final groups into the answer: HAVING, then the select list's expressions, then ORDER BY
 * over the groups of every owner (top-N when there is a LIMIT), then LIMIT.
 *
 * <p>Groups arrive as roots in the plan's result layout; the assembler owns them once added and
 * frees them on close. Without ORDER BY, LIMIT keeps the first rows in arrival order.
 */
final class ResultAssembler implements AutoCloseable {
  private final AggregatePlan plan;
  private final BufferAllocator allocator;
  private final Sorter sorter;
  private final List<Field> fields;
  private final int[] visible;
  private final HashAggregator outer;
  private long groups;
  private boolean outerDone;
  private long[] order;

  /**
   * @param allocator where the computed answer lives
   */
  ResultAssembler(AggregatePlan plan, BufferAllocator allocator) {
    this.plan = plan;
    this.allocator = allocator;
    this.sorter = new Sorter(plan.order(), allocator);
    this.fields = plan.outputs().stream().map(Projection::field).toList();
    this.outer = plan.outer() == null ? null : new HashAggregator(plan.outer(), allocator);
    this.visible = new int[plan.outputCount()];
    for (int c = 0; c < visible.length; c++) {
      visible[c] = c;
    }
  }

  /**
   * Keeps the groups of {@code result} that pass HAVING, and closes {@code result}.
   *
   * @return the kept groups, which the caller owns
   */
  static VectorSchemaRoot having(
      AggregatePlan plan, VectorSchemaRoot result, BufferAllocator allocator) {
    if (plan.outer() != null) {
      return result; // HAVING reads the outer aggregation, made on the coordinator
    }
    return filter(plan.having(), result, allocator);
  }

  private static VectorSchemaRoot filter(
      Expression condition, VectorSchemaRoot result, BufferAllocator allocator) {
    if (condition == null || result.getRowCount() == 0) {
      return result;
    }
    try (result) {
      int[] selection = new int[result.getRowCount()];
      int kept = new Evaluator(result).select(condition, selection);
      return HashPartitioner.copyRows(result, selection, 0, kept, allocator);
    }
  }

  /**
   * Adds final groups that already passed HAVING (or, for DISTINCT aggregates, distinct pairs for
   * the outer aggregation); takes ownership of {@code groups}.
   */
  void add(VectorSchemaRoot groups) {
    if (outer != null) {
      try (groups) {
        this.groups += groups.getRowCount();
        outer.addInput(groups);
      }
      return;
    }
    addAnswer(groups);
  }

  /** Computes the outputs of final groups and holds them for sorting; closes {@code groups}. */
  private void addAnswer(VectorSchemaRoot groups) {
    try (groups) {
      VectorSchemaRoot answer = VectorSchemaRoot.create(plan.outputSchema(), allocator);
      try {
        ProjectOperator.project(
            groups, fields, plan.outputs().stream().map(Projection::expression).toList(), answer);
      } catch (RuntimeException e) {
        answer.close();
        throw e;
      }
      if (outer == null) {
        this.groups += answer.getRowCount();
      }
      sorter.add(answer);
    }
    if (!plan.order().isEmpty() && plan.limit().isPresent()) {
      long limit = plan.limit().getAsLong();
      if (sorter.rowCount() > Math.max(2 * Math.min(limit, Integer.MAX_VALUE / 2), 65_536)) {
        sorter.keepFirst(limit);
      }
    }
    order = null;
  }

  /** Number of final groups added (distinct pairs for DISTINCT aggregates), before LIMIT. */
  long groupCount() {
    return groups;
  }

  /** Number of rows of the answer. */
  int rowCount() {
    return rows().length;
  }

  /** Fills {@code out} (in the plan's output schema) with answer rows {@code [from, to)}. */
  void fill(VectorSchemaRoot out, int from, int to) {
    sorter.fill(out, rows(), from, to, visible);
  }

  /** The answer's rows as (part index << 32 | row), sorted and limited. */
  private long[] rows() {
    if (outer != null && !outerDone) {
      outerDone = true;
      addAnswer(filter(plan.having(), outer.takeResult(), allocator));
    }
    if (order == null) {
      order = sorter.sorted(plan.limit().orElse(Long.MAX_VALUE));
    }
    return order;
  }

  @Override
  public void close() {
    try {
      sorter.close();
    } finally {
      if (outer != null) {
        outer.close();
      }
    }
  }
}
