package dev.quiver.server.plan;

import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.parquet.predicate.Constant;
import dev.quiver.parquet.predicate.Predicate;
import dev.quiver.parquet.predicate.PredicateTypeException;
import dev.quiver.parquet.predicate.Predicates;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.exec.SortKey;
import dev.quiver.server.expression.Expression;
import dev.quiver.server.expression.Expressions;
import dev.quiver.server.physical.Aggregate.Mode;
import dev.quiver.server.physical.Limit;
import dev.quiver.server.physical.PhysicalPlan;
import dev.quiver.server.sql.AggregatePlan;
import dev.quiver.server.sql.Projection;
import dev.quiver.server.sql.Query;
import dev.quiver.server.sql.QueryPlan;
import dev.quiver.shuffle.aggregate.AggregateCall;
import dev.quiver.shuffle.aggregate.AggregateFunction;
import dev.quiver.shuffle.aggregate.AggregateLayout;
import dev.quiver.shuffle.key.KeyColumns;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rel.RelFieldCollation;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelRoot;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.core.Sort;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlKind;

/**
 * Turns Calcite's relational algebra for a query into a Quiver {@link Query}: the conditions of
 * WHERE that the scan can evaluate become its pushdown predicate, the rest and every projection
 * become vectorized {@link Expression}s, an {@code Aggregate} becomes an {@link AggregateLayout}
 * with the expressions it reads, and {@code Sort} becomes ORDER BY and LIMIT.
 *
 * <p>Supported shapes are a chain of scan, filters, projections, at most one aggregation and one
 * sort; anything else (joins, unions, nested aggregations, subqueries) is UNIMPLEMENTED naming it.
 */
final class QueryBuilder {
  private Dataset dataset;
  private final List<RexNode> scanConditions = new ArrayList<>();
  private final List<Expression> residuals = new ArrayList<>();
  private AggregateLayout layout;
  private AggregateLayout outer;
  private List<Projection> aggregateInputs;
  private final List<Expression> having = new ArrayList<>();
  private List<Expression> columns;
  private List<Expression> sortExpressions;
  private List<RelFieldCollation> collations;
  private OptionalLong limit = OptionalLong.empty();

  /** Where the chain starts when it is not a table scan, and what gives that node's rows. */
  private RelNode base;

  private PhysicalPlan input;

  /** Builds the query of {@code root}, its result columns named {@code names}. */
  static Query build(String sql, RelRoot root, List<String> names) {
    return new QueryBuilder().query(sql, root, names);
  }

  /**
   * The one-node physical plan of {@code rel}, a chain of filters, projections, at most one
   * aggregation and a sort on top, over {@code base}, whose rows {@code input} gives (a join, say):
   * its output columns are {@code rel}'s, named {@code names}.
   */
  static PhysicalPlan over(RelNode rel, RelNode base, PhysicalPlan input, List<String> names) {
    QueryBuilder builder = new QueryBuilder();
    builder.base = base;
    builder.input = input;
    builder.visit(rel);
    List<Integer> all = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      all.add(i);
    }
    return builder.assembleOver(all, names);
  }

  private PhysicalPlan assembleOver(List<Integer> fields, List<String> names) {
    List<Projection> projections = new ArrayList<>();
    List<SortKey> order = new ArrayList<>();
    int outputCount = outputs(fields, names, projections, order);
    PhysicalPlan plan = input;
    if (!residuals.isEmpty()) {
      plan = new dev.quiver.server.physical.Filter(plan, Expressions.and(residuals));
    }
    if (layout == null) {
      plan = new dev.quiver.server.physical.Project(plan, projections);
    } else {
      plan = new dev.quiver.server.physical.Project(plan, aggregateInputs);
      plan = new dev.quiver.server.physical.Aggregate(plan, layout, Mode.SINGLE);
      if (outer != null) {
        plan = new dev.quiver.server.physical.Aggregate(plan, outer, Mode.SINGLE);
      }
      if (!having.isEmpty()) {
        plan = new dev.quiver.server.physical.Filter(plan, Expressions.and(having));
      }
      plan = new dev.quiver.server.physical.Project(plan, projections);
    }
    if (!order.isEmpty()) {
      plan = new dev.quiver.server.physical.Sort(plan, order, limit);
    } else if (limit.isPresent()) {
      plan = new Limit(plan, limit.getAsLong());
    }
    if (outputCount == projections.size()) {
      return plan;
    }
    List<Projection> shown = new ArrayList<>();
    for (int c = 0; c < outputCount; c++) {
      Field field = projections.get(c).field();
      shown.add(new Projection(field, new Expression.ColumnRef(c, field)));
    }
    return new dev.quiver.server.physical.Project(plan, shown);
  }

  /**
   * Fills {@code projections} with the visible columns {@code fields} (named {@code names}) and
   * then ORDER BY's hidden ones, and {@code order} with the sort keys over them.
   *
   * @return how many columns are visible
   */
  private int outputs(
      List<Integer> fields, List<String> names, List<Projection> projections, List<SortKey> order) {
    List<Expression> visible = new ArrayList<>();
    for (int field : fields) {
      visible.add(columns.get(field));
    }
    for (int i = 0; i < visible.size(); i++) {
      projections.add(new Projection(field(names.get(i), visible.get(i)), visible.get(i)));
    }
    int outputCount = projections.size();
    if (sortExpressions != null) {
      for (int k = 0; k < sortExpressions.size(); k++) {
        Expression key = sortExpressions.get(k);
        int column = visible.indexOf(key);
        if (column < 0) {
          column = projections.size();
          projections.add(new Projection(field("$sort" + k, key), key));
          visible.add(key);
        }
        RelFieldCollation collation = collations.get(k);
        boolean descending = collation.direction.isDescending();
        boolean nullsFirst = collation.nullDirection == RelFieldCollation.NullDirection.FIRST;
        order.add(new SortKey(column, descending, nullsFirst));
      }
    }
    return outputCount;
  }

  private Query query(String sql, RelRoot root, List<String> names) {
    visit(root.rel);
    List<Integer> fields = new ArrayList<>();
    for (Map.Entry<Integer, String> field : root.fields) {
      fields.add(field.getKey());
    }
    List<Projection> projections = new ArrayList<>();
    List<SortKey> order = new ArrayList<>();
    int outputCount = outputs(fields, names, projections, order);
    Predicate pushed = pushdown();
    if (layout == null) {
      ScanColumns scan = ScanColumns.of(dataset, projections, residuals);
      return new QueryPlan(
          sql,
          dataset,
          scan.names(),
          pushed,
          scan.residual(),
          scan.projections(),
          order,
          limit,
          outputCount);
    }
    ScanColumns scan = ScanColumns.of(dataset, aggregateInputs, residuals);
    List<Projection> inputs = scan.projections();
    boolean asScanned = true;
    for (int i = 0; i < inputs.size(); i++) {
      Projection input = inputs.get(i);
      asScanned &=
          input.expression() instanceof Expression.ColumnRef ref
              && scan.names().get(ref.index()).equals(input.name());
    }
    return new AggregatePlan(
        sql,
        dataset,
        scan.names(),
        pushed,
        scan.residual(),
        asScanned ? List.of() : inputs,
        layout,
        outer,
        having.isEmpty() ? null : Expressions.and(having),
        projections,
        order,
        limit,
        outputCount);
  }

  private static Field field(String name, Expression expression) {
    if (expression instanceof Expression.ColumnRef ref && ref.field() != null) {
      Field source = ref.field();
      return new Field(name, source.getFieldType(), source.getChildren());
    }
    return new Field(name, FieldType.nullable(expression.type()), null);
  }

  private void visit(RelNode rel) {
    if (rel == base) {
      columns = new ArrayList<>();
      List<Field> fields = input.schema().getFields();
      for (int i = 0; i < fields.size(); i++) {
        columns.add(Expressions.column(i, fields.get(i)));
      }
      return;
    }
    if (rel instanceof TableScan scan) {
      dataset = scan.getTable().unwrap(CatalogSchema.DatasetTable.class).dataset();
      columns = new ArrayList<>();
      List<Field> fields = dataset.schema().getFields();
      for (int i = 0; i < fields.size(); i++) {
        columns.add(Expressions.column(i, fields.get(i)));
      }
      return;
    }
    if (rel.getInputs().size() != 1) {
      throw unimplemented(rel.getRelTypeName().replace("Logical", "") + " is not supported yet");
    }
    visit(rel.getInput(0));
    if (sortExpressions != null) {
      throw unimplemented("A subquery with ORDER BY or LIMIT is not supported yet");
    }
    if (rel instanceof Filter filter) {
      filter(filter);
    } else if (rel instanceof Project project) {
      RexTranslator translator = new RexTranslator(columns);
      List<Expression> projected = new ArrayList<>();
      for (RexNode node : project.getProjects()) {
        projected.add(translator.translate(node));
      }
      columns = projected;
    } else if (rel instanceof Aggregate aggregate) {
      aggregate(aggregate);
    } else if (rel instanceof Sort sort) {
      sort(sort);
    } else {
      throw unimplemented(rel.getRelTypeName().replace("Logical", "") + " is not supported yet");
    }
  }

  private void filter(Filter filter) {
    if (layout != null) {
      having.add(new RexTranslator(columns).translate(filter.getCondition()));
    } else if (filter.getInput() instanceof TableScan) {
      scanConditions.addAll(RelOptUtil.conjunctions(filter.getCondition()));
    } else {
      residuals.add(new RexTranslator(columns).translate(filter.getCondition()));
    }
  }

  private void aggregate(Aggregate aggregate) {
    if (layout != null) {
      throw unimplemented("An aggregation of an aggregation is not supported yet");
    }
    if (aggregate.getGroupType() != Aggregate.Group.SIMPLE) {
      throw unimplemented("GROUPING SETS, ROLLUP and CUBE are not supported yet");
    }
    Map<Expression, Field> inputs = new LinkedHashMap<>();
    List<Field> keys = new ArrayList<>();
    for (int index : aggregate.getGroupSet()) {
      Expression key = columns.get(index);
      Field field = inputField(key, "$key" + keys.size(), inputs);
      if (!KeyColumns.isSupported(field.getType())) {
        throw new QuiverException(
            ErrorCode.INVALID_ARGUMENT,
            "Cannot GROUP BY " + field.getName() + " of type " + field.getType());
      }
      keys.add(field);
    }
    List<AggregateCall> calls = new ArrayList<>();
    // LITERAL_AGG (Calcite's marker that a group exists, from subqueries): a constant, not a call.
    Map<Integer, Expression> literals = new LinkedHashMap<>();
    // $SUM0 (Calcite's SUM that is 0 over no rows, from rewritten COUNTs): SUM, then COALESCE.
    Set<Integer> zeroWhenEmpty = new HashSet<>();
    List<org.apache.calcite.rel.core.AggregateCall> aggregateCalls = aggregate.getAggCallList();
    // Each call's column among the aggregation's results; SUM(x + k) shares SUM(x) and COUNT(x).
    int[] resultOf = new int[aggregateCalls.size()];
    Map<Integer, ShiftedSum> shifted = new LinkedHashMap<>();
    Map<List<Object>, Integer> shared = new LinkedHashMap<>();
    boolean anyDistinct =
        aggregateCalls.stream().anyMatch(org.apache.calcite.rel.core.AggregateCall::isDistinct);
    for (int c = 0; c < aggregateCalls.size(); c++) {
      org.apache.calcite.rel.core.AggregateCall call = aggregateCalls.get(c);
      if (call.getAggregation().getKind() == SqlKind.LITERAL_AGG && call.rexList.size() == 1) {
        literals.put(c, new RexTranslator(List.of()).translate(call.rexList.get(0)));
        continue;
      }
      ShiftedSum shift = anyDistinct ? null : ShiftedSum.of(call, columns);
      if (shift != null) {
        Field base = inputField(shift.base(), "$arg" + calls.size(), inputs);
        shifted.put(
            c,
            shift.at(
                sharedCall(AggregateFunction.SUM, shift.base(), base, calls, shared),
                sharedCall(AggregateFunction.COUNT, shift.base(), base, calls, shared)));
        continue;
      }
      resultOf[c] = calls.size();
      String name = call.getAggregation().getName();
      if ((call.hasFilter() && call.isDistinct())
          || call.isApproximate()
          || !call.getCollation().getFieldCollations().isEmpty()) {
        throw unimplemented("Aggregate " + sqlOf(call, aggregate) + " is not supported yet");
      }
      AggregateFunction function =
          switch (call.getAggregation().getKind()) {
            case COUNT ->
                call.getArgList().isEmpty()
                    ? AggregateFunction.COUNT_STAR
                    : AggregateFunction.COUNT;
            case SUM -> AggregateFunction.SUM;
            case SUM0 -> {
              zeroWhenEmpty.add(c);
              yield AggregateFunction.SUM;
            }
            case MIN -> AggregateFunction.MIN;
            case MAX -> AggregateFunction.MAX;
            case AVG -> AggregateFunction.AVG;
            default ->
                throw unimplemented(
                    "Aggregate "
                        + name
                        + " is not supported; aggregates are SUM, COUNT, MIN, MAX, AVG");
          };
      if (call.getArgList().size() > 1) {
        throw unimplemented(name + " of several arguments is not supported yet");
      }
      Field input = null;
      if (call.hasFilter()) {
        // agg(x) FILTER (WHERE f) is agg(CASE WHEN f THEN x END); COUNT(*) counts f's TRUEs.
        Expression condition = columns.get(call.filterArg);
        Expression argument =
            call.getArgList().isEmpty()
                ? new Expression.Literal(1L, Expression.BIGINT)
                : columns.get(call.getArgList().get(0));
        if (function == AggregateFunction.COUNT_STAR) {
          function = AggregateFunction.COUNT;
        }
        Expression filtered =
            new Expression.Call(
                dev.quiver.server.expression.Function.CASE,
                List.of(condition, argument, new Expression.Literal(null, argument.type())),
                argument.type());
        input = inputField(filtered, "$arg" + calls.size(), inputs);
      } else if (!call.getArgList().isEmpty()) {
        Expression argument = columns.get(call.getArgList().get(0));
        input = inputField(argument, "$arg" + calls.size(), inputs);
        String problem = AggregateCall.unsupported(function, input.getType());
        if (problem != null) {
          throw new QuiverException(
              ErrorCode.INVALID_ARGUMENT, problem.replace("a column", input.getName()));
        }
      }
      calls.add(new AggregateCall(function, input, "agg" + calls.size()));
    }
    List<org.apache.calcite.rel.core.AggregateCall> distinct =
        aggregateCalls.stream()
            .filter(call -> call.getAggregation().getKind() != SqlKind.LITERAL_AGG)
            .filter(org.apache.calcite.rel.core.AggregateCall::isDistinct)
            .toList();
    if (distinct.isEmpty()) {
      layout = new AggregateLayout(keys, calls);
    } else {
      distinctAggregation(aggregate, keys, calls);
    }
    aggregateInputs = new ArrayList<>();
    inputs.forEach((expression, field) -> aggregateInputs.add(new Projection(field, expression)));
    AggregateLayout answer = outer == null ? layout : outer;
    List<Field> result = answer.resultSchema().getFields();
    columns = new ArrayList<>();
    for (int i = 0; i < keys.size() + aggregateCalls.size(); i++) {
      Expression literal = i < keys.size() ? null : literals.get(i - keys.size());
      ShiftedSum shift = i < keys.size() ? null : shifted.get(i - keys.size());
      if (literal != null) {
        columns.add(literal);
      } else if (shift != null) {
        int sum = keys.size() + shift.sumCall();
        int count = keys.size() + shift.countCall();
        columns.add(
            shift.result(
                Expressions.column(sum, result.get(sum)),
                Expressions.column(count, result.get(count))));
      } else {
        int next = i < keys.size() ? i : keys.size() + resultOf[i - keys.size()];
        Expression column = Expressions.column(next, result.get(next));
        if (zeroWhenEmpty.contains(i - keys.size())) {
          ArrowType type = column.type();
          Expression zero =
              new Expression.Call(
                  dev.quiver.server.expression.Function.CAST,
                  List.of(new Expression.Literal(0L, Expression.BIGINT)),
                  type);
          column =
              new Expression.Call(
                  dev.quiver.server.expression.Function.COALESCE, List.of(column, zero), type);
        }
        columns.add(column);
      }
    }
  }

  /**
   * The index in {@code calls} of {@code function} over {@code expression} (read as {@code input}),
   * added once however often asked for.
   */
  private static int sharedCall(
      AggregateFunction function,
      Expression expression,
      Field input,
      List<AggregateCall> calls,
      Map<List<Object>, Integer> shared) {
    return shared.computeIfAbsent(
        List.of(function, expression),
        k -> {
          calls.add(new AggregateCall(function, input, "agg" + calls.size()));
          return calls.size() - 1;
        });
  }

  /**
   * {@code agg(DISTINCT x) ... GROUP BY g} in two phases: the distributed aggregation groups by
   * {@code (g, x)} with no aggregates, which makes every pair distinct across the cluster (owners
   * hold disjoint pairs), and an outer aggregation computes {@code agg(x) GROUP BY g} over those
   * pairs on the coordinator. Every aggregate must then be DISTINCT over the same argument.
   */
  /** An aggregate call as the user wrote it: {@code SUM(DISTINCT x)}, not Calcite's {@code $1}. */
  private static String sqlOf(org.apache.calcite.rel.core.AggregateCall call, Aggregate aggregate) {
    List<String> inputs = aggregate.getInput().getRowType().getFieldNames();
    List<String> arguments = new ArrayList<>();
    for (int argument : call.getArgList()) {
      arguments.add(inputs.get(argument));
    }
    return call.getAggregation().getName()
        + "("
        + (call.isDistinct() ? "DISTINCT " : "")
        + (arguments.isEmpty() ? "*" : String.join(", ", arguments))
        + ")";
  }

  private void distinctAggregation(
      Aggregate aggregate, List<Field> keys, List<AggregateCall> calls) {
    List<org.apache.calcite.rel.core.AggregateCall> all = aggregate.getAggCallList();
    List<Integer> arguments = all.get(0).getArgList();
    for (org.apache.calcite.rel.core.AggregateCall call : all) {
      if (!call.isDistinct() || !call.getArgList().equals(arguments) || arguments.size() != 1) {
        throw unimplemented(
            "DISTINCT aggregates are supported when every aggregate is DISTINCT over the same"
                + " one argument; "
                + sqlOf(call, aggregate)
                + " is not yet");
      }
    }
    Field argument = calls.get(0).input();
    List<Field> innerKeys = new ArrayList<>(keys);
    if (innerKeys.stream().noneMatch(k -> k.getName().equals(argument.getName()))) {
      innerKeys.add(argument);
    }
    layout = new AggregateLayout(innerKeys, List.of());
    outer = new AggregateLayout(keys, calls);
  }

  /**
   * The field an aggregation reads {@code expression} as: a dataset column under its own name,
   * anything computed under {@code name}; each expression once.
   */
  private Field inputField(Expression expression, String name, Map<Expression, Field> inputs) {
    Field existing = inputs.get(expression);
    if (existing != null) {
      return existing;
    }
    Field field =
        expression instanceof Expression.ColumnRef ref && ref.field() != null
            ? ref.field()
            : new Field(name, FieldType.nullable(expression.type()), null);
    inputs.put(expression, field);
    return field;
  }

  private void sort(Sort sort) {
    if (sort.offset != null) {
      throw unimplemented("OFFSET is not supported yet");
    }
    if (sort.fetch != null) {
      Object fetch = ((RexLiteral) sort.fetch).getValue();
      try {
        limit = OptionalLong.of(((java.math.BigDecimal) fetch).longValueExact());
      } catch (ArithmeticException | ClassCastException e) {
        throw new QuiverException(
            ErrorCode.INVALID_ARGUMENT, "LIMIT must be a non-negative integer, got " + fetch);
      }
    }
    sortExpressions = new ArrayList<>();
    collations = new ArrayList<>(sort.getCollation().getFieldCollations());
    for (RelFieldCollation collation : collations) {
      sortExpressions.add(columns.get(collation.getFieldIndex()));
    }
  }

  /**
   * Splits the WHERE conditions on the scan into the predicate Parquet evaluates and residual
   * expressions; a conjunct the scan cannot evaluate becomes a residual.
   */
  private Predicate pushdown() {
    if (dataset == null) {
      throw unimplemented("A query without FROM is not supported");
    }
    List<Field> fields = dataset.schema().getFields();
    PushdownTranslator translator = new PushdownTranslator(fields);
    List<Predicate> pushed = new ArrayList<>();
    List<Expression> scanColumns = new ArrayList<>();
    for (int i = 0; i < fields.size(); i++) {
      scanColumns.add(Expressions.column(i, fields.get(i)));
    }
    List<Expression> residual = new ArrayList<>();
    for (RexNode condition : scanConditions) {
      Predicate predicate;
      try {
        predicate = translator.translate(condition);
      } catch (PredicateTypeException e) {
        throw new QuiverException(ErrorCode.INVALID_ARGUMENT, e.getMessage());
      }
      if (predicate == null) {
        residual.add(new RexTranslator(scanColumns).translate(condition));
      } else {
        pushed.add(predicate);
      }
    }
    residuals.addAll(0, residual);
    return pushed.isEmpty() ? Constant.TRUE : Predicates.and(pushed);
  }

  static QuiverException unimplemented(String message) {
    return new QuiverException(ErrorCode.UNIMPLEMENTED, message);
  }

  /**
   * The dataset columns the expressions read, in dataset order, and the expressions rewritten over
   * a scan batch of just those columns.
   */
  private record ScanColumns(
      List<String> names, List<Projection> projections, Expression residual) {
    static ScanColumns of(
        Dataset dataset, List<Projection> projections, List<Expression> residuals) {
      TreeSet<Integer> used = new TreeSet<>();
      projections.forEach(p -> Expressions.collectColumns(p.expression(), used));
      residuals.forEach(r -> Expressions.collectColumns(r, used));
      List<Integer> order = new ArrayList<>(used);
      int[] position = new int[dataset.schema().getFields().size()];
      List<String> names = new ArrayList<>();
      for (int i = 0; i < order.size(); i++) {
        position[order.get(i)] = i;
        names.add(dataset.schema().getFields().get(order.get(i)).getName());
      }
      List<Projection> remapped = new ArrayList<>();
      for (Projection p : projections) {
        remapped.add(
            new Projection(p.field(), Expressions.remap(p.expression(), i -> position[i])));
      }
      Expression residual =
          residuals.isEmpty()
              ? null
              : Expressions.remap(Expressions.and(residuals), i -> position[i]);
      return new ScanColumns(names, remapped, residual);
    }
  }
}
