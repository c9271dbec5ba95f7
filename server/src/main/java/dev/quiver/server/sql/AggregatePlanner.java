package dev.quiver.server.sql;

import static dev.quiver.server.sql.QueryPlanner.invalid;
import static dev.quiver.server.sql.QueryPlanner.unimplemented;

import dev.quiver.parquet.predicate.BatchFilter;
import dev.quiver.parquet.predicate.Constant;
import dev.quiver.parquet.predicate.Predicate;
import dev.quiver.parquet.predicate.Predicates;
import dev.quiver.shuffle.aggregate.AggregateCall;
import dev.quiver.shuffle.aggregate.AggregateFunction;
import dev.quiver.shuffle.aggregate.AggregateLayout;
import dev.quiver.shuffle.key.KeyColumns;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.BiFunction;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlNumericLiteral;
import org.apache.calcite.sql.SqlSelect;

/**
 * Plans the aggregate form of a SELECT: group keys are columns, select items are keys or aggregate
 * calls over a column ({@code SUM, COUNT(*), COUNT, MIN, MAX, AVG}), HAVING compares keys and
 * aggregates with literals, ORDER BY names outputs, ordinals, keys or aggregates.
 */
final class AggregatePlanner {
  private final Scope scope;
  private final BiFunction<Scope, SqlNode, Predicate> predicates;
  private final List<Field> keys = new ArrayList<>();
  private final List<AggregateCall> calls = new ArrayList<>();

  /**
   * @param predicates translates a condition in a scope, as WHERE does
   */
  AggregatePlanner(Scope scope, BiFunction<Scope, SqlNode, Predicate> predicates) {
    this.scope = scope;
    this.predicates = predicates;
  }

  private static final Set<String> AGGREGATE_NAMES =
      Set.of(
          "SUM",
          "COUNT",
          "MIN",
          "MAX",
          "AVG",
          "STDDEV",
          "STDDEV_POP",
          "STDDEV_SAMP",
          "VARIANCE",
          "VAR_POP",
          "VAR_SAMP",
          "ANY_VALUE",
          "FIRST",
          "LAST",
          "LISTAGG",
          "STRING_AGG",
          "ARRAY_AGG",
          "MEDIAN",
          "BOOL_AND",
          "BOOL_OR",
          "EVERY",
          "APPROX_COUNT_DISTINCT");

  /**
   * Whether a node calls an aggregate function (the parser leaves most functions unresolved, so
   * they are known by name too).
   */
  static boolean isAggregateCall(SqlNode node) {
    return node instanceof SqlCall call
        && (call.getOperator().isAggregator()
            || AGGREGATE_NAMES.contains(call.getOperator().getName().toUpperCase(Locale.ROOT)));
  }

  /** Whether a SELECT aggregates: it groups, has HAVING, or calls an aggregate function. */
  static boolean isAggregate(SqlSelect select) {
    if (select.getGroup() != null || select.getHaving() != null) {
      return true;
    }
    for (SqlNode item : select.getSelectList()) {
      if (containsAggregate(item)) {
        return true;
      }
    }
    return false;
  }

  private static boolean containsAggregate(SqlNode node) {
    if (!(node instanceof SqlCall call)) {
      return false;
    }
    if (isAggregateCall(call)) {
      return true;
    }
    for (SqlNode operand : call.getOperandList()) {
      if (containsAggregate(operand)) {
        return true;
      }
    }
    return false;
  }

  AggregatePlan plan(
      SqlSelect select, Predicate filter, SqlNodeList orderList, OptionalLong limit) {
    if (select.isDistinct()) {
      throw unimplemented("SELECT DISTINCT is not supported yet; use GROUP BY");
    }
    if (select.getGroup() != null) {
      for (SqlNode node : select.getGroup()) {
        addKey(node);
      }
    }
    List<AggregatePlan.Output> outputs = new ArrayList<>();
    for (SqlNode item : select.getSelectList()) {
      outputs.add(output(item));
    }
    Predicate having = Constant.TRUE;
    if (select.getHaving() != null) {
      Scope havingScope =
          new Scope(scope.dataset(), scope.sql(), call -> resultField(aggregate(call)));
      having = predicates.apply(havingScope, select.getHaving());
    }
    List<AggregatePlan.SortKey> order = new ArrayList<>();
    if (orderList != null) {
      for (SqlNode item : orderList) {
        order.add(sortKey(item, outputs));
      }
    }
    AggregateLayout layout = new AggregateLayout(keys, calls);
    if (!having.equals(Constant.TRUE)) {
      try {
        BatchFilter.compile(Predicates.normalize(having), layout.resultSchema());
      } catch (RuntimeException e) {
        throw invalid(
            "HAVING may only use GROUP BY columns and aggregates: "
                + scope.text(select.getHaving()));
      }
    }
    return new AggregatePlan(
        scope.sql(), scope.dataset(), filter, layout, having, outputs, order, limit);
  }

  private void addKey(SqlNode node) {
    if (!(node instanceof SqlIdentifier identifier)) {
      throw unimplemented("GROUP BY takes columns; " + node + " is not a column");
    }
    Field field = scope.column(identifier);
    if (!KeyColumns.isSupported(field.getType())) {
      throw invalid("Cannot GROUP BY column '" + field.getName() + "' of type " + field.getType());
    }
    if (keyIndex(field) < 0) {
      keys.add(field);
    }
  }

  private int keyIndex(Field field) {
    for (int k = 0; k < keys.size(); k++) {
      if (keys.get(k).getName().equals(field.getName())) {
        return k;
      }
    }
    return -1;
  }

  private AggregatePlan.Output output(SqlNode item) {
    SqlNode expression = item;
    String name = null;
    if (item instanceof SqlBasicCall call && call.getKind() == SqlKind.AS) {
      expression = call.operand(0);
      name = ((SqlIdentifier) call.operand(1)).getSimple();
    }
    if (expression instanceof SqlIdentifier identifier && identifier.isStar()) {
      throw invalid("SELECT * cannot be combined with aggregates or GROUP BY");
    }
    int column = column(expression, "SELECT");
    if (name == null) {
      name =
          expression instanceof SqlIdentifier identifier
              ? keys.get(column).getName()
              : scope.text(expression);
    }
    return new AggregatePlan.Output(name, column);
  }

  /** The result column of a key or aggregate expression. */
  private int column(SqlNode expression, String clause) {
    if (expression instanceof SqlIdentifier identifier) {
      Field field = scope.column(identifier);
      int key = keyIndex(field);
      if (key < 0) {
        throw invalid(
            "Column '"
                + field.getName()
                + "' in "
                + clause
                + " must appear in GROUP BY or be used in an aggregate function");
      }
      return key;
    }
    if (expression instanceof SqlCall call && isAggregateCall(call)) {
      return keys.size() + aggregate(call);
    }
    throw unimplemented(
        clause
            + " items must be GROUP BY columns or aggregates of a column; "
            + scope.text(expression)
            + " is not supported yet");
  }

  /** The index of an aggregate call, adding it when new. */
  private int aggregate(SqlCall call) {
    String name = call.getOperator().getName().toUpperCase(Locale.ROOT);
    if (call.getFunctionQuantifier() != null) {
      throw unimplemented(name + "(DISTINCT ...) is not supported yet");
    }
    AggregateFunction function;
    Field input = null;
    boolean star =
        call.operandCount() == 0
            || (call.operandCount() == 1
                && call.operand(0) instanceof SqlIdentifier id
                && id.isStar());
    switch (name) {
      case "COUNT" -> function = star ? AggregateFunction.COUNT_STAR : AggregateFunction.COUNT;
      case "SUM" -> function = AggregateFunction.SUM;
      case "MIN" -> function = AggregateFunction.MIN;
      case "MAX" -> function = AggregateFunction.MAX;
      case "AVG" -> function = AggregateFunction.AVG;
      default ->
          throw unimplemented(
              "Aggregate " + name + " is not supported; aggregates are SUM, COUNT, MIN, MAX, AVG");
    }
    if (function != AggregateFunction.COUNT_STAR) {
      if (call.operandCount() != 1 || !(call.operand(0) instanceof SqlIdentifier identifier)) {
        throw unimplemented(
            name + " takes one column; " + scope.text(call) + " is not supported yet");
      }
      if (identifier.isStar()) {
        throw invalid(name + "(*) is not valid; only COUNT(*) is");
      }
      input = scope.column(identifier);
      String problem = AggregateCall.unsupported(function, input.getType());
      if (problem != null) {
        throw invalid(problem.replace("a column", "column '" + input.getName() + "'"));
      }
    }
    for (int a = 0; a < calls.size(); a++) {
      AggregateCall existing = calls.get(a);
      if (existing.function() == function
          && (input == null
              ? existing.input() == null
              : existing.input() != null && existing.input().getName().equals(input.getName()))) {
        return a;
      }
    }
    calls.add(new AggregateCall(function, input, "agg" + calls.size()));
    return calls.size() - 1;
  }

  private Field resultField(int aggregate) {
    return calls.get(aggregate).resultField();
  }

  private AggregatePlan.SortKey sortKey(SqlNode item, List<AggregatePlan.Output> outputs) {
    boolean descending = false;
    Boolean nullsFirst = null;
    while (item instanceof SqlCall call
        && (call.getKind() == SqlKind.DESCENDING
            || call.getKind() == SqlKind.NULLS_FIRST
            || call.getKind() == SqlKind.NULLS_LAST)) {
      if (call.getKind() == SqlKind.DESCENDING) {
        descending = true;
      } else if (nullsFirst == null) {
        nullsFirst = call.getKind() == SqlKind.NULLS_FIRST;
      }
      item = call.operand(0);
    }
    boolean first = nullsFirst != null && nullsFirst;
    if (item instanceof SqlNumericLiteral number && number.isInteger()) {
      int ordinal = number.intValue(true);
      if (ordinal < 1 || ordinal > outputs.size()) {
        throw invalid(
            "ORDER BY position "
                + ordinal
                + " is not in the select list (1.."
                + outputs.size()
                + ")");
      }
      return new AggregatePlan.SortKey(outputs.get(ordinal - 1).column(), descending, first);
    }
    if (item instanceof SqlIdentifier identifier && identifier.isSimple()) {
      String name = identifier.getSimple();
      for (AggregatePlan.Output output : outputs) {
        if (output.name().equals(name)) {
          return new AggregatePlan.SortKey(output.column(), descending, first);
        }
      }
      var unique = Scope.unique(outputs, AggregatePlan.Output::name, name);
      if (unique.isPresent() && scope.dataset().field(name).isEmpty()) {
        return new AggregatePlan.SortKey(unique.get().column(), descending, first);
      }
    }
    return new AggregatePlan.SortKey(column(item, "ORDER BY"), descending, first);
  }
}
