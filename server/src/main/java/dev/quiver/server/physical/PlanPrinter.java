package dev.quiver.server.physical;

import dev.quiver.server.exec.FrameBound;
import dev.quiver.server.exec.SortKey;
import dev.quiver.server.exec.WindowCall;
import dev.quiver.server.exec.WindowFrame;
import dev.quiver.server.exec.WindowFunction;
import dev.quiver.server.sql.Projection;
import dev.quiver.shuffle.aggregate.AggregateCall;
import dev.quiver.shuffle.aggregate.AggregateLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import org.apache.arrow.flight.Location;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Prints stages as {@code EXPLAIN} shows them: the stage that gives the answer first, each with its
 * tasks and where its output goes, then its operators as an indented tree.
 */
public final class PlanPrinter {
  private PlanPrinter() {}

  /** {@code stages} (in the order they run) as lines, the answer's stage first. */
  public static List<String> print(List<Stage> stages, Location coordinator) {
    return print(stages, coordinator, (stage, operator) -> "");
  }

  /**
   * As {@link #print(List, Location)}, each operator's line followed by what {@code note} says of
   * it (what it did, for {@code EXPLAIN ANALYZE}).
   */
  public static List<String> print(
      List<Stage> stages, Location coordinator, BiFunction<Stage, PhysicalPlan, String> note) {
    Map<Integer, List<String>> outputs = new HashMap<>();
    for (Stage stage : stages) {
      outputs.put(stage.id(), columnNames(stage.plan(), outputs));
    }
    List<String> lines = new ArrayList<>();
    for (int s = stages.size() - 1; s >= 0; s--) {
      Stage stage = stages.get(s);
      lines.add(heading(stage, stages, coordinator, outputs));
      operator(stage, stage.plan(), 1, lines, outputs, note);
    }
    return lines;
  }

  /** Every operator of {@code stages} as its line of {@code EXPLAIN} says it, by identity. */
  public static Map<PhysicalPlan, String> descriptions(List<Stage> stages) {
    Map<Integer, List<String>> outputs = new HashMap<>();
    for (Stage stage : stages) {
      outputs.put(stage.id(), columnNames(stage.plan(), outputs));
    }
    Map<PhysicalPlan, String> descriptions = new IdentityHashMap<>();
    for (Stage stage : stages) {
      describeAll(stage.plan(), outputs, descriptions);
    }
    return descriptions;
  }

  private static void describeAll(
      PhysicalPlan plan, Map<Integer, List<String>> outputs, Map<PhysicalPlan, String> into) {
    into.put(plan, describe(plan, outputs));
    for (PhysicalPlan child : plan.children()) {
      describeAll(child, outputs, into);
    }
  }

  /**
   * The names EXPLAIN gives {@code plan}'s output columns: the schema's, but for partial aggregate
   * states (whose schema says {@code key0}, {@code agg0}) the grouping keys' and the aggregates'.
   */
  private static List<String> columnNames(PhysicalPlan plan, Map<Integer, List<String>> outputs) {
    if (plan instanceof Aggregate aggregate && aggregate.mode().writesStates()) {
      List<String> names = new ArrayList<>();
      aggregate.layout().keys().forEach(k -> names.add(k.getName()));
      aggregate.layout().calls().forEach(c -> names.add(call(c)));
      return names;
    }
    if (plan instanceof RemoteSource source && outputs.containsKey(source.stage())) {
      return outputs.get(source.stage());
    }
    if (plan instanceof Filter
        || plan instanceof Sort
        || plan instanceof Limit
        || plan instanceof Exchange) {
      return columnNames(plan.children().get(0), outputs);
    }
    return plan.schema().getFields().stream().map(Field::getName).toList();
  }

  private static String heading(
      Stage stage, List<Stage> stages, Location coordinator, Map<Integer, List<String>> outputs) {
    StringBuilder line = new StringBuilder("Stage ").append(stage.id()).append(": ");
    List<Task> tasks = stage.tasks();
    line.append(tasks.size()).append(tasks.size() == 1 ? " task" : " tasks").append(" (");
    line.append(tasks.stream().map(t -> task(t, coordinator)).collect(Collectors.joining("; ")));
    line.append("); output ");
    if (stage.output() == null) {
      line.append(
          tasks.size() == 1
              ? "to the client"
              : "to the client, which reads each task's part"
                  + (stage.plan().distribution().kind() == Distribution.Kind.RANGE
                      ? " in order"
                      : ""));
    } else {
      line.append("by ").append(exchange(stage.output(), outputs)).append(" to stage ");
      line.append(
          stages.stream()
              .filter(s -> s.inputs().contains(stage.id()))
              .map(s -> String.valueOf(s.id()))
              .collect(Collectors.joining(", ")));
    }
    return line.toString();
  }

  private static String task(Task task, Location coordinator) {
    String node = node(task.node(), coordinator);
    if (task.splits() == null) {
      return node + ": its own files";
    }
    if (!task.splits().isEmpty()) {
      int rowGroups =
          task.splits().stream().mapToInt(t -> t.endRowGroup() - t.firstRowGroup()).sum();
      return node
          + ": "
          + task.splits().size()
          + (task.splits().size() == 1 ? " split, " : " splits, ")
          + rowGroups
          + (rowGroups == 1 ? " row group" : " row groups");
    }
    return "partition " + task.partition() + " on " + node;
  }

  private static String node(Location node, Location coordinator) {
    String uri = node.getUri().toString();
    return node.getUri().equals(coordinator.getUri()) ? uri + " (coordinator)" : uri;
  }

  private static void operator(
      Stage stage,
      PhysicalPlan plan,
      int depth,
      List<String> lines,
      Map<Integer, List<String>> outputs,
      BiFunction<Stage, PhysicalPlan, String> note) {
    lines.add("  ".repeat(depth) + describe(plan, outputs) + note.apply(stage, plan));
    for (PhysicalPlan child : plan.children()) {
      operator(stage, child, depth + 1, lines, outputs, note);
    }
  }

  /** One operator on one line. */
  static String describe(PhysicalPlan plan, Map<Integer, List<String>> outputs) {
    if (plan instanceof Scan scan) {
      return "Scan "
          + scan.dataset().name()
          + " ["
          + String.join(", ", scan.columns())
          + "]"
          + (scan.filter() instanceof dev.quiver.parquet.predicate.Constant
              ? ""
              : " pushed down: " + ExpressionText.of(scan.filter()));
    }
    if (plan instanceof Filter filter) {
      return "Filter " + ExpressionText.of(filter.condition());
    }
    if (plan instanceof Project project) {
      return "Project ["
          + project.projections().stream()
              .map(PlanPrinter::projection)
              .collect(Collectors.joining(", "))
          + "]";
    }
    if (plan instanceof Aggregate aggregate) {
      return "Aggregate " + aggregate.mode() + " " + layout(aggregate.layout());
    }
    if (plan instanceof Sort sort) {
      return (sort.limit().isPresent() ? "TopN " + sort.limit().getAsLong() + " by [" : "Sort by [")
          + sortKeys(sort.keys(), sort.input().schema())
          + "]";
    }
    if (plan instanceof Limit limit) {
      return "Limit " + limit.count() + (limit.offset() > 0 ? " offset " + limit.offset() : "");
    }
    if (plan instanceof Window window) {
      return window(window);
    }
    if (plan instanceof Union union) {
      return "Union of " + union.inputs().size();
    }
    if (plan instanceof Values values) {
      return "Values (" + values.rows().size() + " rows)";
    }
    if (plan instanceof Exchange exchange) {
      return "Exchange " + exchange(exchange, outputs);
    }
    if (plan instanceof HashJoin join) {
      String condition =
          join.condition() == null ? "" : " and " + ExpressionText.of(join.condition());
      if (join.probeKeys().isEmpty()) {
        return "NestedLoopJoin "
            + join.type()
            + (condition.isEmpty() ? "" : " on" + condition.substring(4));
      }
      return "HashJoin "
          + join.type()
          + " on "
          + keys(join.probeKeys(), join.probe().schema())
          + " = "
          + keys(join.buildKeys(), join.build().schema())
          + condition;
    }
    RemoteSource source = (RemoteSource) plan;
    return "RemoteSource stage " + source.stage();
  }

  /**
   * {@code Window [partition by k order by id: row_number(), sum(x) rows between 1 preceding and
   * current row]}: each call with its arguments, and its frame where it reads one that is not the
   * default.
   */
  private static String window(Window window) {
    Schema input = window.input().schema();
    List<String> clauses = new ArrayList<>();
    if (!window.partitionKeys().isEmpty()) {
      clauses.add("partition by " + names(window.partitionKeys(), input));
    }
    if (!window.orderKeys().isEmpty()) {
      clauses.add("order by " + sortKeys(window.orderKeys(), input));
    }
    String calls =
        window.calls().stream()
            .map(call -> windowCall(call, input, !window.orderKeys().isEmpty()))
            .collect(Collectors.joining(", "));
    return "Window [" + String.join(" ", clauses) + (clauses.isEmpty() ? "" : ": ") + calls + "]";
  }

  private static String windowCall(WindowCall call, Schema input, boolean ordered) {
    List<String> arguments = new ArrayList<>();
    call.arguments().forEach(a -> arguments.add(input.getFields().get(a).getName()));
    WindowFunction function = call.function();
    if (function == WindowFunction.NTILE
        || (call.offset() != 1
            && (function == WindowFunction.LAG || function == WindowFunction.LEAD))
        || function == WindowFunction.NTH_VALUE) {
      arguments.add(Math.min(1, arguments.size()), String.valueOf(call.offset()));
    }
    String name =
        function == WindowFunction.SUM0 ? "$sum0" : function.name().toLowerCase(Locale.ROOT);
    String text = name + "(" + String.join(", ", arguments) + ")";
    WindowFrame usual =
        ordered
            ? WindowFrame.DEFAULT
            : new WindowFrame(
                false, FrameBound.UNBOUNDED_PRECEDING, FrameBound.UNBOUNDED_FOLLOWING);
    boolean unordered = !ordered && call.frame().equals(WindowFrame.DEFAULT);
    return function.readsFrame() && !call.frame().equals(usual) && !unordered
        ? text + " " + call.frame()
        : text;
  }

  private static String exchange(Exchange exchange, Map<Integer, List<String>> outputs) {
    Distribution target = exchange.target();
    StringBuilder text = new StringBuilder(exchange.kindName());
    if (!target.keys().isEmpty()) {
      List<String> names = columnNames(exchange.input(), outputs);
      text.append(" by [")
          .append(target.keys().stream().map(names::get).collect(Collectors.joining(", ")))
          .append("]");
    }
    if (target.partitions() > 1) {
      text.append(" into ").append(target.partitions()).append(" partitions");
    }
    exchange
        .gatherBelowBytes()
        .ifPresent(
            bytes ->
                text.append(" (gathered instead when the input totals at most ")
                    .append(bytes)
                    .append(" bytes)"));
    return text.toString();
  }

  private static String keys(List<Integer> columns, Schema schema) {
    return "[" + names(columns, schema) + "]";
  }

  private static String names(List<Integer> columns, Schema schema) {
    return columns.stream()
        .map(c -> schema.getFields().get(c).getName())
        .collect(Collectors.joining(", "));
  }

  private static String sortKeys(List<SortKey> keys, Schema schema) {
    return keys.stream()
        .map(
            k ->
                schema.getFields().get(k.column()).getName()
                    + (k.descending() ? " DESC" : "")
                    + (k.nullsFirst() ? " NULLS FIRST" : ""))
        .collect(Collectors.joining(", "));
  }

  private static String projection(Projection projection) {
    String expression = ExpressionText.of(projection.expression());
    return expression.equals(projection.name())
        ? expression
        : expression + " AS " + projection.name();
  }

  private static String layout(AggregateLayout layout) {
    String calls = layout.calls().stream().map(PlanPrinter::call).collect(Collectors.joining(", "));
    if (layout.keys().isEmpty()) {
      return calls;
    }
    return "by ["
        + layout.keys().stream().map(Field::getName).collect(Collectors.joining(", "))
        + "]"
        + (calls.isEmpty() ? "" : ": " + calls);
  }

  private static String call(AggregateCall call) {
    String input = call.input() == null ? "*" : call.input().getName();
    String function =
        call.function() == dev.quiver.shuffle.aggregate.AggregateFunction.COUNT_STAR
            ? "COUNT"
            : call.function().name();
    return function + "(" + input + ") AS " + call.name();
  }
}
