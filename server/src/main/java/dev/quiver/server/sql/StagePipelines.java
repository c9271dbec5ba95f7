package dev.quiver.server.sql;

import dev.quiver.parquet.predicate.Constant;
import dev.quiver.parquet.scan.FileSplit;
import dev.quiver.parquet.scan.ScanRequest;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.exec.ConcatOperator;
import dev.quiver.server.exec.ExecutionContext;
import dev.quiver.server.exec.FilterOperator;
import dev.quiver.server.exec.FinalAggregateOperator;
import dev.quiver.server.exec.FooterRowsOperator;
import dev.quiver.server.exec.HashJoinOperator;
import dev.quiver.server.exec.LimitOperator;
import dev.quiver.server.exec.Operator;
import dev.quiver.server.exec.PartialAggregateOperator;
import dev.quiver.server.exec.PipelineMetrics;
import dev.quiver.server.exec.ProjectOperator;
import dev.quiver.server.exec.ScanOperator;
import dev.quiver.server.exec.SortKey;
import dev.quiver.server.exec.SortOperator;
import dev.quiver.server.exec.TopNBound;
import dev.quiver.server.exec.ValuesOperator;
import dev.quiver.server.exec.WindowOperator;
import dev.quiver.server.expression.Expression;
import dev.quiver.server.physical.Aggregate;
import dev.quiver.server.physical.Exchange;
import dev.quiver.server.physical.Filter;
import dev.quiver.server.physical.HashJoin;
import dev.quiver.server.physical.Limit;
import dev.quiver.server.physical.OperatorPositions;
import dev.quiver.server.physical.PhysicalPlan;
import dev.quiver.server.physical.Project;
import dev.quiver.server.physical.RemoteSource;
import dev.quiver.server.physical.Scan;
import dev.quiver.server.physical.Sort;
import dev.quiver.server.physical.Union;
import dev.quiver.server.physical.Values;
import dev.quiver.server.physical.Window;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Builds the operators of one task of a stage from the stage's physical plan, as it was shipped: a
 * node runs what it is sent and plans no SQL. The task's scan reads {@code splits}; a {@link
 * RemoteSource} reads what {@code remote} opens for its stage (every task of it, in turn). The
 * exchange above a remote source has already moved the rows: here it passes them on.
 *
 * <p>Scans, filters, projections, aggregates in every mode, sorts (top-N with a limit) and limits
 * run this way, and so do joins, unions, windows and constant rows. Where the task holds the rows
 * of a plan node already (an opened task's inbox, which merged or sorted what exchanges sent),
 * {@code prebuilt} gives them and the node is not built. The caller owns the returned operator; on
 * failure whatever was built is closed.
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
    return build(plan, inReadingOrder(plan, splits).iterator(), remote, node -> null, context);
  }

  /**
   * @param splits hands out the row groups the task's scan reads, as it asks for them (several
   *     pipelines may share one)
   * @param remote opens the rows of the stage a remote source names
   * @param prebuilt the rows of a plan node the task already holds, or null to build the node
   */
  public static Operator build(
      PhysicalPlan plan,
      Iterator<FileSplit> splits,
      IntFunction<Operator> remote,
      Function<PhysicalPlan, Operator> prebuilt,
      ExecutionContext context) {
    return build(plan, splits, remote, prebuilt, context, Metering.NONE);
  }

  /**
   * Counts what each operator of a plan does: {@code metrics} by the operators' {@code positions}.
   */
  public record Metering(PipelineMetrics metrics, Map<PhysicalPlan, Integer> positions) {
    public static final Metering NONE = new Metering(null, Map.of());

    /** Counters for {@code plan}'s operators. */
    public static Metering of(PhysicalPlan plan) {
      Map<PhysicalPlan, Integer> positions = OperatorPositions.of(plan);
      return new Metering(new PipelineMetrics(positions.size()), positions);
    }

    Operator metered(PhysicalPlan plan, Operator operator) {
      Integer position = positions.get(plan);
      return metrics == null || position == null ? operator : metrics.metered(operator, position);
    }
  }

  /**
   * As {@link #build(PhysicalPlan, Iterator, IntFunction, Function, ExecutionContext)}, counting
   * each operator's batches, rows and time in {@code metering}.
   */
  public static Operator build(
      PhysicalPlan plan,
      Iterator<FileSplit> splits,
      IntFunction<Operator> remote,
      Function<PhysicalPlan, Operator> prebuilt,
      ExecutionContext context,
      Metering metering) {
    return build(plan, splits, remote, prebuilt, context, metering, null);
  }

  /**
   * {@code splits} in the order a task of {@code plan} reads them best: for a top-N by an integer
   * column, the row groups most likely to hold its rows first ({@link TopNBound#bestFirst}); else
   * as they are.
   */
  public static List<FileSplit> inReadingOrder(PhysicalPlan plan, List<FileSplit> splits) {
    TopNBound bound = plan instanceof Sort sort ? topNBound(sort) : null;
    return bound == null ? splits : bound.bestFirst(splits);
  }

  /**
   * What a top-N tells the scan under it, when its first key is an integer column the scan reads
   * and only filters and projections lie between them; else null.
   */
  static TopNBound topNBound(Sort sort) {
    if (sort.limit().isEmpty() || sort.keys().isEmpty()) {
      return null;
    }
    SortKey first = sort.keys().get(0);
    int column = first.column();
    PhysicalPlan below = sort.input();
    while (!(below instanceof Scan)) {
      if (below instanceof Project project) {
        if (!(project.projections().get(column).expression() instanceof Expression.ColumnRef ref)) {
          return null;
        }
        column = ref.index();
      } else if (!(below instanceof Filter)) {
        return null;
      }
      below = below.children().get(0);
    }
    Scan scan = (Scan) below;
    if (column >= scan.columns().size()) {
      return null;
    }
    String name = scan.columns().get(column);
    return scan.dataset()
            .field(name)
            .filter(field -> TopNBound.supports(field.getType()))
            .isPresent()
        ? new TopNBound(name, first)
        : null;
  }

  /**
   * @param bound what the top-N above tells the scan below, through filters and projections only
   */
  private static Operator build(
      PhysicalPlan plan,
      Iterator<FileSplit> splits,
      IntFunction<Operator> remote,
      Function<PhysicalPlan, Operator> prebuilt,
      ExecutionContext context,
      Metering metering,
      TopNBound bound) {
    return metering.metered(
        plan, operator(plan, splits, remote, prebuilt, context, metering, bound));
  }

  private static Operator operator(
      PhysicalPlan plan,
      Iterator<FileSplit> splits,
      IntFunction<Operator> remote,
      Function<PhysicalPlan, Operator> prebuilt,
      ExecutionContext context,
      Metering metering,
      TopNBound bound) {
    Operator held = prebuilt.apply(plan);
    if (held != null) {
      return held;
    }
    if (plan instanceof Scan scan) {
      List<String> columns = scan.columns();
      if (columns.isEmpty() && scan.filter().equals(Constant.TRUE)) {
        // Rows only, all of them: the footers know how many.
        return new FooterRowsOperator(splits, context);
      }
      if (columns.isEmpty()) {
        // Nothing but constants or COUNT(*): read the narrowest way to count rows.
        columns = List.of(scan.dataset().schema().getFields().get(0).getName());
      }
      ScanRequest request =
          new ScanRequest(
              columns, scan.filter(), context.maxBatchRows(), context.targetBatchBytes());
      return new ScanOperator(splits, scan.dataset().schema(), request, context, bound);
    }
    if (plan instanceof RemoteSource source) {
      return remote.apply(source.stage());
    }
    if (plan instanceof Exchange exchange) {
      return build(exchange.input(), splits, remote, prebuilt, context, metering, null);
    }
    if (plan instanceof Filter filter) {
      return Operator.then(
          build(filter.input(), splits, remote, prebuilt, context, metering, bound),
          in -> new FilterOperator(in, filter.condition(), context));
    }
    if (plan instanceof Project project) {
      return Operator.then(
          build(project.input(), splits, remote, prebuilt, context, metering, bound),
          in ->
              new ProjectOperator(
                  in,
                  project.projections().stream().map(Projection::field).toList(),
                  project.projections().stream().map(Projection::expression).toList(),
                  context));
    }
    if (plan instanceof Sort sort) {
      TopNBound own = topNBound(sort);
      return Operator.then(
          build(sort.input(), splits, remote, prebuilt, context, metering, own),
          in ->
              new SortOperator(in, sort.keys(), sort.limit().orElse(Long.MAX_VALUE), context, own));
    }
    if (plan instanceof Aggregate aggregate) {
      return Operator.then(
          build(aggregate.input(), splits, remote, prebuilt, context, metering, null),
          in -> aggregate(aggregate, in, context));
    }
    if (plan instanceof Limit limit) {
      return Operator.then(
          build(limit.input(), splits, remote, prebuilt, context, metering, null),
          in -> new LimitOperator(in, limit.offset(), limit.count(), context));
    }
    if (plan instanceof Window window) {
      return Operator.then(
          build(window.input(), splits, remote, prebuilt, context, metering, null),
          in ->
              new WindowOperator(
                  in,
                  window.partitionKeys(),
                  window.orderKeys(),
                  window.calls(),
                  window.schema(),
                  context));
    }
    if (plan instanceof HashJoin join) {
      Operator build = build(join.build(), splits, remote, prebuilt, context, metering, null);
      Operator probe;
      try {
        probe = build(join.probe(), splits, remote, prebuilt, context, metering, null);
      } catch (RuntimeException e) {
        build.close();
        throw e;
      }
      try {
        return new HashJoinOperator(
            probe,
            build,
            join.type(),
            join.probeKeys(),
            join.buildKeys(),
            join.nullSafe(),
            join.condition(),
            join.schema(),
            context);
      } catch (RuntimeException e) {
        probe.close();
        build.close();
        throw e;
      }
    }
    if (plan instanceof Union union) {
      List<Supplier<Operator>> inputs = new ArrayList<>();
      for (PhysicalPlan input : union.inputs()) {
        inputs.add(() -> build(input, splits, remote, prebuilt, context, metering, null));
      }
      return new ConcatOperator(union.schema(), inputs);
    }
    if (plan instanceof Values values) {
      return new ValuesOperator(values.rows(), values.schema(), context);
    }
    throw new QuiverException(
        ErrorCode.UNIMPLEMENTED,
        "A stage with "
            + plan.getClass().getSimpleName()
            + " cannot run through the stage executor yet");
  }

  private static Operator aggregate(Aggregate aggregate, Operator in, ExecutionContext context) {
    return switch (aggregate.mode()) {
      case PARTIAL -> new PartialAggregateOperator(in, aggregate.layout(), context);
      case INTERMEDIATE -> FinalAggregateOperator.intermediate(in, aggregate.layout(), context);
      case FINAL -> FinalAggregateOperator.of(in, aggregate.layout(), context);
      case SINGLE ->
          Operator.then(
              new PartialAggregateOperator(in, aggregate.layout(), context),
              partial -> FinalAggregateOperator.of(partial, aggregate.layout(), context));
    };
  }
}
