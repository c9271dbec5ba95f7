package dev.quiver.server.plan;

import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import java.util.List;
import org.apache.calcite.plan.RelOptRule;
import org.apache.calcite.plan.hep.HepMatchOrder;
import org.apache.calcite.plan.hep.HepPlanner;
import org.apache.calcite.plan.hep.HepProgram;
import org.apache.calcite.plan.hep.HepProgramBuilder;
import org.apache.calcite.rel.RelHomogeneousShuttle;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelVisitor;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.core.Correlate;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Join;
import org.apache.calcite.rel.rules.CoreRules;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql2rel.RelDecorrelator;
import org.apache.calcite.sql2rel.RelFieldTrimmer;
import org.apache.calcite.tools.RelBuilder;

/**
 * Rewrites a query's relational algebra with Calcite's own rules before it is lowered: subqueries
 * become joins (scalar, {@code IN}, {@code EXISTS}; correlated ones decorrelated), WHERE conditions
 * move into the joins and down to the tables they read, set operations other than UNION become
 * aggregations, joins are reordered by the tables' row counts (so that no input is joined without a
 * condition when one exists), every node keeps only the columns used above it, and window functions
 * ({@code ... OVER (...)}) move out of projections into window nodes.
 */
final class RelOptimizer {
  private RelOptimizer() {}

  static RelNode optimize(RelNode rel, RelBuilder builder) {
    RelNode plan =
        apply(
            rel,
            null,
            CoreRules.FILTER_SUB_QUERY_TO_CORRELATE,
            CoreRules.PROJECT_SUB_QUERY_TO_CORRELATE,
            CoreRules.JOIN_SUB_QUERY_TO_CORRELATE);
    Interruptible.check();
    plan = RelDecorrelator.decorrelateQuery(plan, builder);
    Interruptible.check();
    requireDecorrelated(plan);
    if (mixesDistinct(plan)) {
      // COUNT(DISTINCT a) beside other aggregates: one aggregation per distinct argument and one
      // for the rest, joined on the group keys.
      plan = apply(plan, null, CoreRules.AGGREGATE_EXPAND_DISTINCT_AGGREGATES_TO_JOIN);
      Interruptible.check();
    }
    plan = commonFactorsPulled(plan);
    plan =
        apply(
            plan,
            null,
            CoreRules.FILTER_INTO_JOIN,
            CoreRules.JOIN_CONDITION_PUSH,
            CoreRules.FILTER_PROJECT_TRANSPOSE,
            CoreRules.FILTER_MERGE,
            CoreRules.FILTER_AGGREGATE_TRANSPOSE,
            CoreRules.PROJECT_MERGE,
            CoreRules.PROJECT_REMOVE,
            CoreRules.JOIN_PUSH_EXPRESSIONS,
            CoreRules.INTERSECT_TO_DISTINCT,
            CoreRules.MINUS_TO_DISTINCT);
    Interruptible.check();
    if (joins(plan) > 1) {
      plan = apply(plan, HepMatchOrder.BOTTOM_UP, CoreRules.JOIN_TO_MULTI_JOIN);
      plan = apply(plan, null, CoreRules.MULTI_JOIN_OPTIMIZE);
      Interruptible.check();
    }
    plan = new RelFieldTrimmer(null, builder).trim(plan);
    Interruptible.check();
    plan =
        apply(
            plan,
            null,
            CoreRules.FILTER_PROJECT_TRANSPOSE,
            CoreRules.FILTER_MERGE,
            CoreRules.PROJECT_MERGE,
            CoreRules.PROJECT_REMOVE);
    // Window functions in a projection become a window node between two projections.
    return apply(plan, null, CoreRules.PROJECT_TO_LOGICAL_PROJECT_AND_WINDOW);
  }

  /**
   * Every filter's condition with the conjuncts common to all branches of an OR pulled out of it:
   * {@code (a = b AND x) OR (a = b AND y)} is {@code a = b AND (x OR y)}, so a join key written in
   * each branch (TPC-H's Q19) becomes a join key.
   */
  private static RelNode commonFactorsPulled(RelNode rel) {
    return rel.accept(
        new RelHomogeneousShuttle() {
          @Override
          public RelNode visit(RelNode other) {
            RelNode visited = super.visit(other);
            if (visited instanceof Filter filter) {
              RexNode pulled =
                  RexUtil.pullFactors(filter.getCluster().getRexBuilder(), filter.getCondition());
              if (!pulled.equals(filter.getCondition())) {
                return filter.copy(filter.getTraitSet(), filter.getInput(), pulled);
              }
            }
            return visited;
          }
        });
  }

  /**
   * Whether an aggregation has DISTINCT aggregates beside others, or over different arguments:
   * aggregations whose calls are all DISTINCT over one argument run as they are.
   */
  private static boolean mixesDistinct(RelNode rel) {
    boolean[] found = new boolean[1];
    rel.accept(
        new RelHomogeneousShuttle() {
          @Override
          public RelNode visit(RelNode other) {
            if (other instanceof Aggregate aggregate) {
              List<AggregateCall> calls = aggregate.getAggCallList();
              boolean distinct = calls.stream().anyMatch(AggregateCall::isDistinct);
              boolean uniform =
                  calls.stream()
                      .allMatch(
                          c ->
                              c.isDistinct()
                                  && c.getArgList().equals(calls.get(0).getArgList())
                                  && c.getArgList().size() == 1);
              found[0] |= distinct && !uniform;
            }
            return super.visit(other);
          }
        });
    return found[0];
  }

  private static RelNode apply(RelNode rel, HepMatchOrder order, RelOptRule... rules) {
    HepProgramBuilder program = HepProgram.builder();
    if (order != null) {
      program.addMatchOrder(order);
    }
    program.addRuleCollection(List.of(rules));
    HepPlanner planner = new HepPlanner(program.build());
    planner.setRoot(rel);
    return planner.findBestExp();
  }

  private static int joins(RelNode rel) {
    int[] count = new int[1];
    new RelVisitor() {
      @Override
      public void visit(RelNode node, int ordinal, RelNode parent) {
        if (node instanceof Join) {
          count[0]++;
        }
        super.visit(node, ordinal, parent);
      }
    }.go(rel);
    return count[0];
  }

  private static void requireDecorrelated(RelNode rel) {
    new RelVisitor() {
      @Override
      public void visit(RelNode node, int ordinal, RelNode parent) {
        if (node instanceof Correlate) {
          throw new QuiverException(
              ErrorCode.UNIMPLEMENTED,
              "This correlated subquery cannot be turned into a join yet; write it as a join");
        }
        super.visit(node, ordinal, parent);
      }
    }.go(rel);
  }
}
