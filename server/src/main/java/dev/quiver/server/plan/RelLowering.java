package dev.quiver.server.plan;

import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.exec.JoinType;
import dev.quiver.server.expression.Expression;
import dev.quiver.server.expression.Expressions;
import dev.quiver.server.physical.Aggregate;
import dev.quiver.server.physical.HashJoin;
import dev.quiver.server.physical.Limit;
import dev.quiver.server.physical.PhysicalPlan;
import dev.quiver.server.physical.PhysicalPlanner;
import dev.quiver.server.physical.Project;
import dev.quiver.server.physical.Sort;
import dev.quiver.server.physical.Union;
import dev.quiver.server.physical.Values;
import dev.quiver.server.sql.Projection;
import dev.quiver.server.sql.Query;
import dev.quiver.shuffle.aggregate.AggregateLayout;
import dev.quiver.shuffle.key.KeyColumns;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelRoot;
import org.apache.calcite.rel.core.Aggregate.Group;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Join;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.logical.LogicalUnion;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlKind;

/**
 * Lowers Calcite's relational algebra of a query with several inputs (joins, set operations,
 * decorrelated subqueries) into a one-node physical plan. Each maximal chain of filters,
 * projections, at most one aggregation and a sort on top is planned as a single-table query is
 * ({@link QueryBuilder}): over a table scan with Parquet pushdown, over anything else on its rows;
 * joins become {@link HashJoin}s (the smaller estimated input builds, unless the join type
 * decides), unions {@link Union}s, constant rows {@link Values}, windows {@link
 * dev.quiver.server.physical.Window}s ({@link WindowLowering}). Every lowered node's output columns
 * are its relational node's, in order, under its (unique) names. Where data moves between nodes is
 * decided later, by {@link PhysicalPlanner}.
 */
final class RelLowering {
  private final String sql;
  private final RexBuilder rex;
  private final PhysicalPlanner onePlanner = new PhysicalPlanner(1, Long.MAX_VALUE);
  private final Set<Dataset> datasets = new LinkedHashSet<>();

  private RelLowering(String sql, RexBuilder rex) {
    this.sql = sql;
    this.rex = rex;
  }

  /** The plan of {@code rel} and the datasets it reads, in the order it first reads them. */
  record Lowered(PhysicalPlan plan, List<Dataset> datasets) {}

  static Lowered lower(String sql, RelNode rel, RexBuilder rex) {
    RelLowering lowering = new RelLowering(sql, rex);
    PhysicalPlan plan = lowering.lower(rel);
    return new Lowered(plan, List.copyOf(lowering.datasets));
  }

  /** The datasets {@code rel}'s table scans read, each once, in the order they are met. */
  static List<Dataset> datasets(RelNode rel) {
    Set<Dataset> found = new LinkedHashSet<>();
    new org.apache.calcite.rel.RelVisitor() {
      @Override
      public void visit(RelNode node, int ordinal, RelNode parent) {
        if (node instanceof TableScan scan) {
          found.add(scan.getTable().unwrap(CatalogSchema.DatasetTable.class).dataset());
        }
        super.visit(node, ordinal, parent);
      }
    }.go(rel);
    return List.copyOf(found);
  }

  private PhysicalPlan lower(RelNode rel) {
    Interruptible.check();
    RelNode base = chainBase(rel);
    List<String> names = uniqueNames(rel.getRowType().getFieldNames());
    if (base instanceof TableScan scan) {
      datasets.add(scan.getTable().unwrap(CatalogSchema.DatasetTable.class).dataset());
      Query query = QueryBuilder.build(sql, RelRoot.of(rel, SqlKind.SELECT), names);
      return onePlanner.lower(query);
    }
    if (base != rel) {
      return QueryBuilder.over(rel, base, lower(base), names);
    }
    if (rel instanceof Join join) {
      return join(join, names);
    }
    if (rel instanceof org.apache.calcite.rel.core.Window window) {
      return WindowLowering.lower(window, lower(window.getInput()), rex, names);
    }
    if (rel instanceof LogicalUnion union) {
      return union(union, names);
    }
    if (rel instanceof org.apache.calcite.rel.core.Values values) {
      return values(values, names);
    }
    if (rel instanceof org.apache.calcite.rel.core.Sort sort && sort.offset != null) {
      return offset(sort, names);
    }
    if (rel instanceof org.apache.calcite.rel.core.Aggregate aggregate
        && aggregate.getGroupType() != Group.SIMPLE) {
      throw new QuiverException(
          ErrorCode.UNIMPLEMENTED, "GROUPING SETS, ROLLUP and CUBE are not supported yet");
    }
    throw new QuiverException(ErrorCode.UNIMPLEMENTED, sqlName(rel) + " is not supported yet");
  }

  /** What the user wrote that became {@code rel}, in SQL's words rather than Calcite's. */
  static String sqlName(RelNode rel) {
    String type = rel.getRelTypeName().replace("Logical", "");
    switch (type) {
      case "Correlate":
        return "A correlated subquery of this form (it could not be turned into a join)";
      case "Window":
        return "Window functions (OVER)";
      case "TableFunctionScan":
        return "A table function in FROM";
      case "Uncollect":
        return "UNNEST";
      case "Sample":
        return "TABLESAMPLE";
      case "Match":
        return "MATCH_RECOGNIZE";
      case "RepeatUnion":
      case "TableSpool":
        return "WITH RECURSIVE";
      default:
        return "This kind of query (" + type + ")";
    }
  }

  /**
   * Where the chain of {@code rel} starts: the node below its filters, projections, at most one
   * simple aggregation and, only on top, a sort without OFFSET; {@code rel} itself when it is no
   * such node.
   */
  private static RelNode chainBase(RelNode rel) {
    RelNode node = rel;
    boolean top = true;
    boolean aggregated = false;
    while (true) {
      if (node instanceof TableScan) {
        return node;
      }
      if (node instanceof org.apache.calcite.rel.core.Sort sort) {
        if (!top || sort.offset != null) {
          return node;
        }
      } else if (node instanceof org.apache.calcite.rel.core.Aggregate aggregate) {
        if (aggregated || aggregate.getGroupType() != Group.SIMPLE) {
          return node;
        }
        aggregated = true;
      } else if (!(node instanceof Filter || node instanceof org.apache.calcite.rel.core.Project)) {
        return node;
      }
      top = false;
      node = node.getInput(0);
    }
  }

  private PhysicalPlan join(Join join, List<String> names) {
    RelNode leftRel = join.getLeft();
    RelNode rightRel = join.getRight();
    PhysicalPlan left = lower(leftRel);
    PhysicalPlan right = lower(rightRel);
    List<Integer> leftKeys = new ArrayList<>();
    List<Integer> rightKeys = new ArrayList<>();
    List<Boolean> filterNulls = new ArrayList<>();
    List<RexNode> others = new ArrayList<>();
    RelOptUtil.splitJoinCondition(
        leftRel, rightRel, join.getCondition(), leftKeys, rightKeys, filterNulls, others);
    others.removeIf(RexNode::isAlwaysTrue);
    int leftWidth = left.schema().getFields().size();
    int rightWidth = right.schema().getFields().size();
    // Keys of different types are compared as their common type, computed beside the inputs.
    List<Projection> leftExtra = new ArrayList<>();
    List<Projection> rightExtra = new ArrayList<>();
    for (int k = 0; k < leftKeys.size(); k++) {
      RelDataType leftType = leftRel.getRowType().getFieldList().get(leftKeys.get(k)).getType();
      RelDataType rightType = rightRel.getRowType().getFieldList().get(rightKeys.get(k)).getType();
      ArrowType leftArrow = left.schema().getFields().get(leftKeys.get(k)).getType();
      ArrowType rightArrow = right.schema().getFields().get(rightKeys.get(k)).getType();
      if (!KeyColumns.isSupported(leftArrow) || !KeyColumns.isSupported(rightArrow)) {
        throw new QuiverException(
            ErrorCode.UNIMPLEMENTED,
            "Joining on "
                + leftRel.getRowType().getFieldNames().get(leftKeys.get(k))
                + " of type "
                + leftType
                + " is not supported yet");
      }
      if (leftArrow.equals(rightArrow)) {
        continue;
      }
      RelDataType common = rex.getTypeFactory().leastRestrictive(List.of(leftType, rightType));
      if (common == null) {
        throw new QuiverException(
            ErrorCode.INVALID_ARGUMENT,
            "Cannot join "
                + leftType
                + " with "
                + rightType
                + ": "
                + leftRel.getRowType().getFieldNames().get(leftKeys.get(k))
                + " = "
                + rightRel.getRowType().getFieldNames().get(rightKeys.get(k)));
      }
      leftExtra.add(cast(left, leftRel, leftKeys.get(k), k, common, true));
      leftKeys.set(k, leftWidth + leftExtra.size() - 1);
      rightExtra.add(cast(right, rightRel, rightKeys.get(k), k, common, false));
      rightKeys.set(k, rightWidth + rightExtra.size() - 1);
    }
    left = withExtra(left, leftExtra);
    right = withExtra(right, rightExtra);
    int leftAll = left.schema().getFields().size();
    int rightAll = right.schema().getFields().size();

    JoinType type =
        switch (join.getJoinType()) {
          case INNER -> JoinType.INNER;
          case LEFT -> JoinType.LEFT;
          case RIGHT -> JoinType.RIGHT;
          case FULL -> JoinType.FULL;
          case SEMI -> JoinType.SEMI;
          case ANTI -> JoinType.ANTI;
          default ->
              throw new QuiverException(
                  ErrorCode.UNIMPLEMENTED,
                  "A " + join.getJoinType() + " join is not supported yet");
        };
    // The preserved side of a RIGHT join probes; an inner join builds its smaller input.
    boolean swap = type == JoinType.RIGHT;
    RelMetadataQuery metadata = join.getCluster().getMetadataQuery();
    Double leftRows = metadata.getRowCount(leftRel);
    Double rightRows = metadata.getRowCount(rightRel);
    if (type == JoinType.INNER) {
      swap = leftRows != null && rightRows != null && leftRows < rightRows;
    }
    Double buildEstimate = swap ? leftRows : rightRows;
    long buildRows = buildEstimate == null ? -1 : (long) Math.ceil(buildEstimate);
    if (type == JoinType.RIGHT) {
      type = JoinType.LEFT;
    }
    PhysicalPlan probe = swap ? right : left;
    PhysicalPlan build = swap ? left : right;
    int probeWidth = swap ? rightAll : leftAll;
    int leftBase = swap ? probeWidth : 0;
    int rightBase = swap ? 0 : probeWidth;

    Expression condition = null;
    if (!others.isEmpty()) {
      List<Expression> columns = new ArrayList<>();
      List<Field> probeFields = probe.schema().getFields();
      List<Field> buildFields = build.schema().getFields();
      List<Field> candidate = new ArrayList<>(probeFields);
      candidate.addAll(buildFields);
      for (int i = 0; i < leftWidth; i++) {
        columns.add(Expressions.column(leftBase + i, candidate.get(leftBase + i)));
      }
      for (int j = 0; j < rightWidth; j++) {
        columns.add(Expressions.column(rightBase + j, candidate.get(rightBase + j)));
      }
      condition = new RexTranslator(columns).translate(RexUtil.composeConjunction(rex, others));
    }
    List<Integer> probeKeys = swap ? rightKeys : leftKeys;
    List<Integer> buildKeys = swap ? leftKeys : rightKeys;
    List<Boolean> nullSafe = filterNulls.stream().map(f -> !f).toList();
    HashJoin joined =
        new HashJoin(probe, build, type, probeKeys, buildKeys, nullSafe, condition, buildRows);
    // Back to the join's own columns: left then right (left only for semi and anti), its names.
    List<Field> out = joined.schema().getFields();
    List<Projection> columns = new ArrayList<>();
    int n = 0;
    for (int i = 0; i < leftWidth; i++) {
      Field field = out.get(leftBase + i);
      columns.add(projection(names.get(n++), leftBase + i, field));
    }
    if (type.outputsBuild()) {
      for (int j = 0; j < rightWidth; j++) {
        Field field = out.get(rightBase + j);
        columns.add(projection(names.get(n++), rightBase + j, field));
      }
    }
    return new Project(joined, columns);
  }

  private static Projection projection(String name, int index, Field field) {
    Field renamed = new Field(name, field.getFieldType(), field.getChildren());
    return new Projection(renamed, new Expression.ColumnRef(index, field));
  }

  /** Key {@code key} of {@code plan} (whose rows {@code rel} describes) cast to {@code type}. */
  private Projection cast(
      PhysicalPlan plan, RelNode rel, int key, int k, RelDataType type, boolean left) {
    List<Expression> columns = columnsOf(plan.schema());
    RexNode cast = rex.makeCast(type, RexInputRef.of(key, rel.getRowType()), true, false);
    Expression expression = new RexTranslator(columns).translate(cast);
    return new Projection(
        new Field((left ? "$lkey" : "$rkey") + k, FieldType.nullable(expression.type()), null),
        expression);
  }

  /** {@code plan}'s columns and then {@code extra} ones computed from them. */
  private static PhysicalPlan withExtra(PhysicalPlan plan, List<Projection> extra) {
    if (extra.isEmpty()) {
      return plan;
    }
    List<Field> fields = plan.schema().getFields();
    List<Projection> all = new ArrayList<>();
    for (int i = 0; i < fields.size(); i++) {
      all.add(new Projection(fields.get(i), new Expression.ColumnRef(i, fields.get(i))));
    }
    all.addAll(extra);
    return new Project(plan, all);
  }

  /** Expressions reading each column of {@code schema}. */
  static List<Expression> columnsOf(Schema schema) {
    List<Expression> columns = new ArrayList<>();
    List<Field> fields = schema.getFields();
    for (int i = 0; i < fields.size(); i++) {
      columns.add(Expressions.column(i, fields.get(i)));
    }
    return columns;
  }

  private PhysicalPlan union(LogicalUnion union, List<String> names) {
    RelDataType rowType = union.getRowType();
    List<PhysicalPlan> inputs = new ArrayList<>();
    for (RelNode input : union.getInputs()) {
      inputs.add(as(lower(input), input, rowType, names));
    }
    Schema schema = inputs.get(0).schema();
    PhysicalPlan all = new Union(inputs, schema);
    if (union.all) {
      return all;
    }
    // UNION: the distinct rows, as groups with no aggregate.
    return new Aggregate(
        all, new AggregateLayout(schema.getFields(), List.of()), Aggregate.Mode.SINGLE);
  }

  /** {@code plan}'s rows as {@code rowType}'s columns: cast where types differ, renamed. */
  private PhysicalPlan as(PhysicalPlan plan, RelNode rel, RelDataType rowType, List<String> names) {
    List<Expression> columns = columnsOf(plan.schema());
    List<Projection> projections = new ArrayList<>();
    List<RelDataTypeField> fields = rowType.getFieldList();
    for (int i = 0; i < fields.size(); i++) {
      RexNode value = RexInputRef.of(i, rel.getRowType());
      RelDataType target = fields.get(i).getType();
      if (!ArrowTypes.toArrow(target).equals(plan.schema().getFields().get(i).getType())) {
        value = rex.makeCast(target, value, true, false);
      }
      Expression expression = new RexTranslator(columns).translate(value);
      projections.add(
          new Projection(
              new Field(names.get(i), FieldType.nullable(expression.type()), null), expression));
    }
    return new Project(plan, projections);
  }

  private PhysicalPlan values(org.apache.calcite.rel.core.Values values, List<String> names) {
    List<Field> fields = new ArrayList<>();
    List<RelDataTypeField> types = values.getRowType().getFieldList();
    for (int i = 0; i < types.size(); i++) {
      fields.add(
          new Field(
              names.get(i), FieldType.nullable(ArrowTypes.toArrow(types.get(i).getType())), null));
    }
    List<List<Expression>> rows = new ArrayList<>();
    RexTranslator translator = new RexTranslator(List.of());
    for (List<RexLiteral> tuple : values.getTuples()) {
      List<Expression> row = new ArrayList<>();
      for (int i = 0; i < tuple.size(); i++) {
        RexNode value = tuple.get(i);
        if (!value.getType().equals(types.get(i).getType())) {
          value = rex.makeCast(types.get(i).getType(), value, true, false);
        }
        row.add(translator.translate(value));
      }
      rows.add(row);
    }
    return new Values(rows, new Schema(fields));
  }

  private PhysicalPlan offset(org.apache.calcite.rel.core.Sort sort, List<String> names) {
    PhysicalPlan input = lower(sort.getInput());
    long offset = literal(sort.offset, "OFFSET");
    OptionalLong fetch =
        sort.fetch == null ? OptionalLong.empty() : OptionalLong.of(literal(sort.fetch, "LIMIT"));
    PhysicalPlan plan = input;
    List<dev.quiver.server.exec.SortKey> keys = new ArrayList<>();
    for (var collation : sort.getCollation().getFieldCollations()) {
      keys.add(
          new dev.quiver.server.exec.SortKey(
              collation.getFieldIndex(),
              collation.direction.isDescending(),
              collation.nullDirection
                  == org.apache.calcite.rel.RelFieldCollation.NullDirection.FIRST));
    }
    if (!keys.isEmpty()) {
      OptionalLong top =
          fetch.isPresent() ? OptionalLong.of(offset + fetch.getAsLong()) : OptionalLong.empty();
      plan = new Sort(plan, keys, top);
    }
    plan = new Limit(plan, offset, fetch.orElse(Long.MAX_VALUE));
    return renamed(plan, names);
  }

  private static PhysicalPlan renamed(PhysicalPlan plan, List<String> names) {
    List<Field> fields = plan.schema().getFields();
    List<Projection> projections = new ArrayList<>();
    for (int i = 0; i < fields.size(); i++) {
      projections.add(projection(names.get(i), i, fields.get(i)));
    }
    return new Project(plan, projections);
  }

  private static long literal(RexNode node, String clause) {
    if (node instanceof RexLiteral literal && literal.getValue() instanceof BigDecimal value) {
      try {
        long result = value.longValueExact();
        if (result >= 0) {
          return result;
        }
      } catch (ArithmeticException e) {
        // Named below.
      }
    }
    throw new QuiverException(
        ErrorCode.INVALID_ARGUMENT, clause + " must be a non-negative integer, got " + node);
  }

  /** {@code names} with a number appended to each repeat, so that each is unique. */
  private static List<String> uniqueNames(List<String> names) {
    Set<String> seen = new HashSet<>();
    List<String> unique = new ArrayList<>();
    for (String name : names) {
      String candidate = name;
      for (int n = 0; !seen.add(candidate.toLowerCase(java.util.Locale.ROOT)); n++) {
        candidate = name + n;
      }
      unique.add(candidate);
    }
    return unique;
  }
}
