package dev.quiver.server.physical;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.exec.JoinType;
import dev.quiver.server.exec.SortKey;
import dev.quiver.server.expression.Expression;
import dev.quiver.server.sql.AggregatePlan;
import dev.quiver.server.sql.Projection;
import dev.quiver.server.sql.Query;
import dev.quiver.server.sql.QueryPlan;
import dev.quiver.server.sql.TreePlan;
import dev.quiver.shuffle.key.KeyColumns;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.IntStream;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Lowers a planned query into its physical plan: the one place that decides where exchanges go.
 *
 * <p>On one node a plan has no exchange. On several:
 *
 * <ul>
 *   <li>an aggregation aggregates each node's part (PARTIAL), then brings every group's states
 *       together: gathered to the coordinator without keys, else hash-repartitioned by its keys to
 *       one partition per node, or gathered when the partial groups turn out to be small ({@code
 *       gatherBelowBytes}, decided when the partial stage has run); HAVING, the outputs, ORDER BY
 *       and LIMIT run on the coordinator, which gathers the owners' groups;
 *   <li>a scan with ORDER BY and LIMIT keeps the first rows of each task (a top-N) and the
 *       coordinator the first of those; with LIMIT alone, the first rows; with ORDER BY alone, the
 *       rows are range-repartitioned by the sort keys (boundaries sampled) and each range sorted,
 *       read in range order;
 *   <li>a plain scan has no exchange: the client reads each task's output.
 * </ul>
 */
public final class PhysicalPlanner {
  private final int nodes;
  private final long gatherThresholdBytes;

  /**
   * @param nodes how many nodes run the query
   * @param gatherThresholdBytes partial groups up to this size in all are gathered, not
   *     repartitioned
   */
  public PhysicalPlanner(int nodes, long gatherThresholdBytes) {
    if (nodes < 1) {
      throw new IllegalArgumentException("nodes must be positive: " + nodes);
    }
    this.nodes = nodes;
    this.gatherThresholdBytes = gatherThresholdBytes;
  }

  /** The physical plan of {@code query}. */
  public PhysicalPlan lower(Query query) {
    requireNonNull(query, "query is null");
    if (query instanceof TreePlan tree) {
      return spread(tree.plan());
    }
    PhysicalPlan scan = new Scan(query.dataset(), query.scanColumns(), query.filter());
    if (query.residual() != null) {
      scan = new Filter(scan, query.residual());
    }
    if (query instanceof AggregatePlan aggregate) {
      return aggregation(aggregate, scan);
    }
    if (query instanceof QueryPlan rows) {
      return rows(rows, scan);
    }
    throw new IllegalArgumentException("Cannot lower a " + query.getClass().getSimpleName());
  }

  private PhysicalPlan rows(QueryPlan query, PhysicalPlan scan) {
    PhysicalPlan plan = new Project(scan, query.projections());
    List<SortKey> order = query.order();
    OptionalLong limit = query.limit();
    if (!order.isEmpty()) {
      if (nodes == 1) {
        plan = new Sort(plan, order, limit);
      } else if (limit.isPresent()) {
        plan = new Sort(Exchange.gather(new Sort(plan, order, limit)), order, limit);
      } else {
        List<Integer> keys = order.stream().map(SortKey::column).toList();
        plan =
            new Sort(
                new Exchange(plan, Distribution.range(keys, nodes), OptionalLong.empty()),
                order,
                OptionalLong.empty());
      }
    } else if (limit.isPresent()) {
      plan = new Limit(plan, limit.getAsLong());
      if (nodes > 1) {
        plan = new Limit(Exchange.gather(plan), limit.getAsLong());
      }
    }
    return withoutHiddenColumns(plan, query.projections(), query.outputCount());
  }

  private PhysicalPlan aggregation(AggregatePlan query, PhysicalPlan scan) {
    PhysicalPlan input = query.inputs().isEmpty() ? scan : new Project(scan, query.inputs());
    PhysicalPlan plan = new Aggregate(input, query.layout(), Aggregate.Mode.PARTIAL);
    int keys = query.layout().keys().size();
    boolean repartitioned = nodes > 1 && keys > 0;
    if (nodes == 1) {
      // One node merges its scan threads' partial states and finishes them itself.
      plan = new Aggregate(plan, query.layout(), Aggregate.Mode.FINAL);
    } else if (keys == 0) {
      plan = new Aggregate(Exchange.gather(plan), query.layout(), Aggregate.Mode.FINAL);
    } else {
      List<Integer> keyColumns = IntStream.range(0, keys).boxed().toList();
      plan =
          new Aggregate(
              new Exchange(
                  plan,
                  Distribution.hash(keyColumns, nodes),
                  OptionalLong.of(gatherThresholdBytes)),
              query.layout(),
              Aggregate.Mode.FINAL);
    }
    if (query.outer() != null) {
      // DISTINCT: the groups are distinct (keys, argument) pairs, aggregated again in one place.
      if (repartitioned) {
        plan = Exchange.gather(plan);
      }
      plan = new Aggregate(plan, query.outer(), Aggregate.Mode.SINGLE);
    } else if (query.having() != null) {
      plan = new Filter(plan, query.having());
    }
    if (repartitioned && query.outer() == null) {
      plan = Exchange.gather(plan);
    }
    if (query.outer() != null && query.having() != null) {
      plan = new Filter(plan, query.having());
    }
    plan = new Project(plan, query.outputs());
    if (!query.order().isEmpty()) {
      plan = new Sort(plan, query.order(), query.limit());
    } else if (query.limit().isPresent()) {
      plan = new Limit(plan, query.limit().getAsLong());
    }
    return withoutHiddenColumns(plan, query.outputs(), query.outputCount());
  }

  /**
   * A query over several inputs, planned for one node, spread over the query's nodes: each input
   * that scans runs where its data is, its rows filtered and projected there (and partially
   * aggregated, or cut to its first rows, when that is what reads it), and is gathered to the
   * coordinator, where the joins, set operations and everything above them run; but a join of two
   * scans (inner, left, semi or anti) runs on every node over its part of the probe side, with the
   * build side broadcast (or both sides hash-repartitioned), and only its output is gathered, or
   * only the partial groups of the aggregation that reads it; and a window with PARTITION BY over
   * such inputs runs on every node over the partitions a hash repartition by its keys gives it.
   */
  private PhysicalPlan spread(PhysicalPlan plan) {
    if (plan instanceof Aggregate aggregate
        && aggregate.mode() == Aggregate.Mode.SINGLE
        && !scansOnly(aggregate.input())) {
      // An aggregation over a join that runs on the nodes: each node aggregates its part of the
      // joined rows, and only those partial groups are gathered.
      PhysicalPlan input = local(aggregate.input());
      if (input == null) {
        input = partitioned(aggregate.input());
      }
      if (input != null && nodes > 1) {
        return new Aggregate(
            Exchange.gather(new Aggregate(input, aggregate.layout(), Aggregate.Mode.PARTIAL)),
            aggregate.layout(),
            Aggregate.Mode.FINAL);
      }
    }
    PhysicalPlan local = local(plan);
    if (local != null) {
      return Exchange.gather(local);
    }
    PhysicalPlan partitioned = partitioned(plan);
    if (partitioned != null) {
      return Exchange.gather(partitioned);
    }
    PhysicalPlan windowed = windowed(plan);
    if (windowed != null) {
      return Exchange.gather(windowed);
    }
    if (plan instanceof Aggregate outer
        && outer.mode() == Aggregate.Mode.FINAL
        && outer.input() instanceof Aggregate inner
        && inner.mode() == Aggregate.Mode.PARTIAL
        && scansOnly(inner.input())) {
      return outer.withChildren(List.of(Exchange.gather(inner)));
    }
    if (plan instanceof Sort sort && scansOnly(sort.input())) {
      return sort.limit().isPresent()
          ? sort.withChildren(List.of(Exchange.gather(sort)))
          : sort.withChildren(List.of(Exchange.gather(sort.input())));
    }
    if (plan instanceof Limit limit && limit.offset() == 0 && scansOnly(limit.input())) {
      return limit.withChildren(List.of(Exchange.gather(limit)));
    }
    List<PhysicalPlan> children = new ArrayList<>();
    for (PhysicalPlan child : plan.children()) {
      children.add(spread(child));
    }
    return plan.withChildren(children);
  }

  /**
   * {@code plan} as it runs where its data is, when it can: a scan with filters and projections,
   * or, on several nodes, a join of such a plan (or of such a join) with a scan whose rows are
   * broadcast to every node, when the join hands on no build row that matched nothing (inner, left,
   * semi, anti: each node joins its part of the probe side alone); null when it cannot.
   */
  private PhysicalPlan local(PhysicalPlan plan) {
    if (scansOnly(plan)) {
      return plan;
    }
    if (nodes <= 1) {
      return null;
    }
    if (plan instanceof Filter || plan instanceof Project) {
      PhysicalPlan input = local(plan.children().get(0));
      return input == null ? null : plan.withChildren(List.of(input));
    }
    if (plan instanceof HashJoin join
        && join.type() != JoinType.RIGHT
        && join.type() != JoinType.FULL
        && scansOnly(join.build())
        && (join.probeKeys().isEmpty() || smallBuild(join))) {
      PhysicalPlan probe = local(join.probe());
      return probe == null
          ? null
          : join.withChildren(List.of(probe, Exchange.broadcast(join.build())));
    }
    return null;
  }

  /**
   * Whether a join's build side is small enough to broadcast: estimated (planned rows times an
   * estimated row width) at most the gather threshold, or of unknown size.
   */
  private boolean smallBuild(HashJoin join) {
    if (join.buildRows() < 0) {
      return true;
    }
    double bytes = (double) join.buildRows() * rowBytes(join.build().schema());
    return bytes <= gatherThresholdBytes;
  }

  /** A guess of a row's size in Arrow: fixed-width columns by their width, others 24 bytes. */
  private static long rowBytes(org.apache.arrow.vector.types.pojo.Schema schema) {
    long bytes = 0;
    for (Field field : schema.getFields()) {
      ArrowType type = field.getType();
      if (type instanceof ArrowType.Int integer) {
        bytes += integer.getBitWidth() / 8;
      } else if (type instanceof ArrowType.FloatingPoint || type instanceof ArrowType.Timestamp) {
        bytes += 8;
      } else if (type instanceof ArrowType.Date || type instanceof ArrowType.Bool) {
        bytes += 4;
      } else if (type instanceof ArrowType.Decimal) {
        bytes += 16;
      } else {
        bytes += 24;
      }
    }
    return Math.max(1, bytes);
  }

  /**
   * {@code plan} as a join whose two sides, each run where its data is, are hash-repartitioned by
   * the join keys into one partition per node, each partition joined on its node (with filters and
   * projections above it); null when it is no such join.
   */
  private PhysicalPlan partitioned(PhysicalPlan plan) {
    if (nodes <= 1) {
      return null;
    }
    if (plan instanceof Filter || plan instanceof Project) {
      PhysicalPlan input = partitioned(plan.children().get(0));
      return input == null ? null : plan.withChildren(List.of(input));
    }
    if (!(plan instanceof HashJoin join) || join.probeKeys().isEmpty()) {
      return null;
    }
    PhysicalPlan probe = local(join.probe());
    PhysicalPlan build = local(join.build());
    if (probe == null || build == null) {
      return null;
    }
    return join.withChildren(
        List.of(
            Exchange.hash(probe, join.probeKeys(), nodes),
            Exchange.hash(build, join.buildKeys(), nodes)));
  }

  /**
   * {@code plan} as a window with PARTITION BY (with filters and projections above it) that runs on
   * every node: its input, run where its data is (or a repartitioned join), hash-repartitioned by
   * the partition keys into one partition per node, so that each node holds whole partitions, or
   * another such window: by the same keys, read where it is; by other keys, hash-repartitioned
   * again by these; null when it is no such window.
   */
  private PhysicalPlan windowed(PhysicalPlan plan) {
    if (nodes <= 1) {
      return null;
    }
    if (plan instanceof Filter || plan instanceof Project) {
      PhysicalPlan input = windowed(plan.children().get(0));
      return input == null ? null : plan.withChildren(List.of(input));
    }
    if (!(plan instanceof Window window) || window.partitionKeys().isEmpty()) {
      return null;
    }
    List<Field> fields = window.input().schema().getFields();
    for (int key : window.partitionKeys()) {
      if (!KeyColumns.isSupported(fields.get(key).getType())) {
        return null;
      }
    }
    PhysicalPlan input = local(window.input());
    if (input == null) {
      input = partitioned(window.input());
    }
    if (input != null) {
      return window.withChildren(List.of(Exchange.hash(input, window.partitionKeys(), nodes)));
    }
    // A window over a window partitioned by the same keys needs its rows moved no further; over
    // one partitioned by other keys, its input is hash-repartitioned again, by its own keys.
    PhysicalPlan below = windowed(window.input());
    if (below == null) {
      return null;
    }
    return below instanceof Window
            && below.distribution().kind() == Distribution.Kind.HASH
            && below.distribution().keys().equals(window.partitionKeys())
        ? window.withChildren(List.of(below))
        : window.withChildren(List.of(Exchange.hash(below, window.partitionKeys(), nodes)));
  }

  /** Whether {@code plan} is a scan with only filters and projections above it. */
  private static boolean scansOnly(PhysicalPlan plan) {
    PhysicalPlan node = plan;
    while (node instanceof Filter || node instanceof Project) {
      node = node.children().get(0);
    }
    return node instanceof Scan;
  }

  /** {@code plan} without the columns only ORDER BY needed, when there are any. */
  private static PhysicalPlan withoutHiddenColumns(
      PhysicalPlan plan, List<Projection> computed, int outputCount) {
    if (outputCount == computed.size()) {
      return plan;
    }
    List<Projection> shown = new ArrayList<>();
    for (int c = 0; c < outputCount; c++) {
      Field field = computed.get(c).field();
      shown.add(new Projection(field, new Expression.ColumnRef(c, field)));
    }
    return new Project(plan, shown);
  }
}
