package dev.quiver.server.sql;

import dev.quiver.parquet.scan.FileSplit;
import dev.quiver.parquet.scan.ScanRequest;
import dev.quiver.server.exec.ExecutionContext;
import dev.quiver.server.exec.FilterOperator;
import dev.quiver.server.exec.LimitOperator;
import dev.quiver.server.exec.Operator;
import dev.quiver.server.exec.PartialAggregateOperator;
import dev.quiver.server.exec.ProjectOperator;
import dev.quiver.server.exec.ScanOperator;
import dev.quiver.server.exec.SortKey;
import dev.quiver.server.exec.SortOperator;
import dev.quiver.server.exec.TopNBound;
import dev.quiver.server.expression.Expression;
import java.util.Iterator;
import java.util.List;

/**
 * Builds the operator pipeline of a plan's fragment on one node. Every pipeline starts the same
 * way: scan with pushdown → residual filter → project; a query then sorts or limits, an aggregation
 * aggregates partially. Each method returns an operator the caller owns; on failure whatever was
 * built is closed.
 */
public final class Pipelines {
  private Pipelines() {}

  /**
   * The answer of {@code plan} over {@code splits}: its rows, then ORDER BY (a sort, or a top-N
   * with LIMIT) or LIMIT alone.
   */
  public static Operator result(QueryPlan plan, List<FileSplit> splits, ExecutionContext context) {
    long limit = plan.limit().orElse(Long.MAX_VALUE);
    TopNBound bound = topNBound(plan);
    List<FileSplit> ordered = bound == null ? splits : bound.bestFirst(splits);
    return Operator.then(
        rows(plan, ordered.iterator(), context, bound),
        rows ->
            !plan.order().isEmpty()
                ? new SortOperator(rows, plan.order(), limit, context, bound)
                : plan.limit().isPresent() ? new LimitOperator(rows, limit) : rows);
  }

  /** What the top-N of {@code plan} tells its scan, when its first key is an integer column. */
  private static TopNBound topNBound(QueryPlan plan) {
    if (plan.order().isEmpty() || plan.limit().isEmpty()) {
      return null;
    }
    SortKey first = plan.order().get(0);
    if (!(plan.projections().get(first.column()).expression() instanceof Expression.ColumnRef ref)
        || ref.index() >= plan.scanColumns().size()) {
      return null;
    }
    String name = plan.scanColumns().get(ref.index());
    return plan.dataset().field(name).filter(f -> TopNBound.supports(f.getType())).isPresent()
        ? new TopNBound(name, first)
        : null;
  }

  /**
   * The rows of {@code plan} before ORDER BY and LIMIT: scan with pushdown, residual filter, the
   * computed columns (ORDER BY's hidden ones too).
   */
  public static Operator rows(QueryPlan plan, List<FileSplit> splits, ExecutionContext context) {
    return rows(plan, splits.iterator(), context, null);
  }

  private static Operator rows(
      QueryPlan plan, Iterator<FileSplit> splits, ExecutionContext context, TopNBound bound) {
    return Operator.then(
        scan(plan, splits, context, bound),
        scanned ->
            plan.projectsScanAsIs()
                ? scanned
                : new ProjectOperator(
                    scanned,
                    plan.projections().stream().map(Projection::field).toList(),
                    plan.projections().stream().map(Projection::expression).toList(),
                    context));
  }

  /**
   * The partial aggregation of the splits {@code splits} hands out: scan, residual filter, the
   * layout's computed keys and arguments, partial hash aggregate (one batch of partial groups).
   */
  public static Operator partialAggregate(
      AggregatePlan plan, Iterator<FileSplit> splits, ExecutionContext context) {
    Operator input =
        Operator.then(
            scan(plan, splits, context, null),
            scanned ->
                plan.inputs().isEmpty()
                    ? scanned
                    : new ProjectOperator(
                        scanned,
                        plan.inputFields(),
                        plan.inputs().stream().map(Projection::expression).toList(),
                        context));
    return Operator.then(input, rows -> new PartialAggregateOperator(rows, plan.layout(), context));
  }

  /** Scan with pushdown, then the residual filter. */
  private static Operator scan(
      Query plan, Iterator<FileSplit> splits, ExecutionContext context, TopNBound bound) {
    List<String> columns = plan.scanColumns();
    if (columns.isEmpty()) {
      // Nothing but constants or COUNT(*): read the narrowest way to count rows.
      columns = List.of(plan.dataset().schema().getFields().get(0).getName());
    }
    ScanRequest request =
        new ScanRequest(columns, plan.filter(), context.maxBatchRows(), context.targetBatchBytes());
    return Operator.then(
        new ScanOperator(splits, plan.dataset().schema(), request, context, bound),
        scanned ->
            plan.residual() == null
                ? scanned
                : new FilterOperator(scanned, plan.residual(), context));
  }
}
