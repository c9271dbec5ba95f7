package dev.quiver.server.sql;

import dev.quiver.parquet.scan.FileSplit;
import dev.quiver.parquet.scan.ScanRequest;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.exec.ExecutionContext;
import dev.quiver.server.exec.FilterOperator;
import dev.quiver.server.exec.LimitOperator;
import dev.quiver.server.exec.Operator;
import dev.quiver.server.exec.ProjectOperator;
import dev.quiver.server.exec.ScanOperator;
import dev.quiver.server.exec.SortOperator;
import dev.quiver.server.physical.Exchange;
import dev.quiver.server.physical.Filter;
import dev.quiver.server.physical.Limit;
import dev.quiver.server.physical.PhysicalPlan;
import dev.quiver.server.physical.Project;
import dev.quiver.server.physical.RemoteSource;
import dev.quiver.server.physical.Scan;
import dev.quiver.server.physical.Sort;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Builds the operators of one task of a stage from the stage's physical plan, as it was shipped: a
 * node runs what it is sent and plans no SQL. The task's scan reads {@code splits}; a {@link
 * RemoteSource} reads what {@code remote} opens for its stage (every task of it, in turn). The
 * exchange above a remote source has already moved the rows: here it passes them on.
 *
 * <p>Scans, filters, projections, sorts (top-N with a limit) and limits run this way today;
 * aggregations and joins are UNIMPLEMENTED here (aggregations run through their coordinator). The
 * caller owns the returned operator; on failure whatever was built is closed.
 */
public final class StagePipelines {
  private StagePipelines() {}

  /**
   * @param splits the row groups the task's scan reads
   * @param remote opens the rows of the stage a remote source names
   */
  public static Operator build(
      PhysicalPlan plan,
      List<FileSplit> splits,
      IntFunction<Operator> remote,
      ExecutionContext context) {
    if (plan instanceof Scan scan) {
      List<String> columns = scan.columns();
      if (columns.isEmpty()) {
        // Nothing but constants or COUNT(*): read the narrowest way to count rows.
        columns = List.of(scan.dataset().schema().getFields().get(0).getName());
      }
      ScanRequest request =
          new ScanRequest(
              columns, scan.filter(), context.maxBatchRows(), context.targetBatchBytes());
      return new ScanOperator(splits, scan.dataset().schema(), request, context);
    }
    if (plan instanceof RemoteSource source) {
      return remote.apply(source.stage());
    }
    if (plan instanceof Exchange exchange) {
      return build(exchange.input(), splits, remote, context);
    }
    if (plan instanceof Filter filter) {
      return Operator.then(
          build(filter.input(), splits, remote, context),
          in -> new FilterOperator(in, filter.condition(), context));
    }
    if (plan instanceof Project project) {
      return Operator.then(
          build(project.input(), splits, remote, context),
          in ->
              new ProjectOperator(
                  in,
                  project.projections().stream().map(Projection::field).toList(),
                  project.projections().stream().map(Projection::expression).toList(),
                  context));
    }
    if (plan instanceof Sort sort) {
      return Operator.then(
          build(sort.input(), splits, remote, context),
          in -> new SortOperator(in, sort.keys(), sort.limit().orElse(Long.MAX_VALUE), context));
    }
    if (plan instanceof Limit limit) {
      return Operator.then(
          build(limit.input(), splits, remote, context),
          in -> new LimitOperator(in, limit.count()));
    }
    throw new QuiverException(
        ErrorCode.UNIMPLEMENTED,
        "A stage with "
            + plan.getClass().getSimpleName()
            + " cannot run through the stage executor yet");
  }
}
