package dev.quiver.server.plan;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.BoundType;
import com.google.common.collect.Range;
import dev.quiver.parquet.predicate.And;
import dev.quiver.parquet.predicate.ComparisonOperator;
import dev.quiver.parquet.predicate.Comparisons;
import dev.quiver.parquet.predicate.Constant;
import dev.quiver.parquet.predicate.Not;
import dev.quiver.parquet.predicate.Or;
import dev.quiver.parquet.predicate.Predicate;
import dev.quiver.server.expression.Expression;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeFamily;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.util.DateString;
import org.apache.calcite.util.NlsString;
import org.apache.calcite.util.Sarg;
import org.apache.calcite.util.TimeString;
import org.apache.calcite.util.TimestampString;

/**
 * Turns a condition over a dataset's columns into a scan {@link Predicate}, which the Parquet scan
 * uses to skip files, row groups and pages and then filters rows with exactly: comparisons of a
 * column with a constant, IN lists and ranges, IS [NOT] NULL, LIKE, and AND / OR / NOT of those.
 * Anything else is left to the filter operator ({@link #translate} answers null).
 */
final class PushdownTranslator {
  private final List<Field> columns;

  /**
   * @param columns the scan's input row: {@code $i} is {@code columns.get(i)}
   */
  PushdownTranslator(List<Field> columns) {
    this.columns = requireNonNull(columns, "columns is null");
  }

  /**
   * The predicate, or null when the condition has a part the scan cannot evaluate.
   *
   * @throws dev.quiver.parquet.predicate.PredicateTypeException when a constant cannot be compared
   *     with its column (the query is wrong)
   */
  Predicate translate(RexNode node) {
    if (node instanceof RexLiteral literal
        && literal.getType().getSqlTypeName() == SqlTypeName.BOOLEAN) {
      Boolean value = literal.getValueAs(Boolean.class);
      return Constant.of(value);
    }
    Field column = column(node);
    if (column != null) {
      return node.getType().getSqlTypeName() == SqlTypeName.BOOLEAN
          ? Comparisons.compare(column, ComparisonOperator.EQ, Boolean.TRUE)
          : null;
    }
    if (!(node instanceof RexCall call)) {
      return null;
    }
    List<RexNode> operands = call.getOperands();
    if (call.getOperator() == QuiverOperators.IN_LIST) {
      Field field = column(operands.get(0));
      return field == null
          ? null
          : Comparisons.in(
              field,
              LongInLists.decode(((RexLiteral) operands.get(1)).getValueAs(String.class)).values());
    }
    switch (call.getKind()) {
      case AND:
      case OR:
        {
          List<Predicate> terms = new ArrayList<>(operands.size());
          // An OR of equalities with constants on one column is an IN list (BI tools write them).
          java.util.Map<Field, List<Object>> equalities = new java.util.LinkedHashMap<>();
          for (RexNode operand : operands) {
            if (call.getKind() == SqlKind.OR && addEquality(operand, equalities)) {
              continue;
            }
            Predicate term = translate(operand);
            if (term == null) {
              return null;
            }
            terms.add(term);
          }
          equalities.forEach((field, values) -> terms.add(Comparisons.in(field, values)));
          if (terms.size() == 1) {
            return terms.get(0);
          }
          return call.getKind() == SqlKind.AND ? new And(terms) : new Or(terms);
        }
      case NOT:
        {
          Predicate term = translate(operands.get(0));
          return term == null ? null : new Not(term);
        }
      case IS_NULL:
      case IS_NOT_NULL:
        {
          Field field = column(operands.get(0));
          if (field == null) {
            return null;
          }
          Predicate isNull = Comparisons.isNull(field);
          return call.getKind() == SqlKind.IS_NULL ? isNull : new Not(isNull);
        }
      case EQUALS:
      case NOT_EQUALS:
      case LESS_THAN:
      case LESS_THAN_OR_EQUAL:
      case GREATER_THAN:
      case GREATER_THAN_OR_EQUAL:
        return comparison(call);
      case SEARCH:
        return search(operands.get(0), (RexLiteral) operands.get(1));
      case LIKE:
        {
          Field field = column(operands.get(0));
          Object pattern = constant(operands.get(1));
          if (field == null || !(pattern instanceof String text)) {
            return null;
          }
          Character escape = null;
          if (operands.size() > 2) {
            Object e = constant(operands.get(2));
            if (!(e instanceof String s) || s.length() != 1) {
              return null;
            }
            escape = s.charAt(0);
          }
          return Comparisons.like(field, text, escape);
        }
      default:
        return null;
    }
  }

  /** Adds {@code column = constant} to {@code equalities}; false for any other node. */
  private boolean addEquality(RexNode node, java.util.Map<Field, List<Object>> equalities) {
    if (!(node instanceof RexCall call) || call.getKind() != SqlKind.EQUALS) {
      return false;
    }
    ColumnAndConstant operands = columnAndConstant(call);
    if (operands == null) {
      return false;
    }
    equalities.computeIfAbsent(operands.column(), f -> new ArrayList<>()).add(operands.value());
    return true;
  }

  private Predicate comparison(RexCall call) {
    ComparisonOperator op =
        switch (call.getKind()) {
          case EQUALS -> ComparisonOperator.EQ;
          case NOT_EQUALS -> ComparisonOperator.NE;
          case LESS_THAN -> ComparisonOperator.LT;
          case LESS_THAN_OR_EQUAL -> ComparisonOperator.LE;
          case GREATER_THAN -> ComparisonOperator.GT;
          default -> ComparisonOperator.GE;
        };
    ColumnAndConstant operands = columnAndConstant(call);
    if (operands == null) {
      return null;
    }
    return Comparisons.compare(
        operands.column(), operands.flipped() ? op.flip() : op, operands.value());
  }

  /**
   * The two sides of a comparison of a column with a constant.
   *
   * @param flipped whether the constant is on the left
   */
  private record ColumnAndConstant(Field column, Object value, boolean flipped) {}

  /** The column and constant a binary comparison compares, or null when it compares others. */
  private ColumnAndConstant columnAndConstant(RexCall call) {
    RexNode left = call.getOperands().get(0);
    RexNode right = call.getOperands().get(1);
    Field field = column(left);
    RexNode other = right;
    boolean flipped = false;
    if (field == null) {
      field = column(right);
      other = left;
      flipped = true;
    }
    if (field == null || !isConstant(other)) {
      return null;
    }
    Object value = constant(other);
    return value == NOT_CONSTANT ? null : new ColumnAndConstant(field, value, flipped);
  }

  private Predicate search(RexNode operand, RexLiteral sargLiteral) {
    Field field = column(operand);
    if (field == null) {
      return null;
    }
    Sarg<?> sarg = sargLiteral.getValueAs(Sarg.class);
    List<Object> points = new ArrayList<>();
    List<Predicate> terms = new ArrayList<>();
    for (Range<?> range : sarg.rangeSet.asRanges()) {
      if (range.hasLowerBound()
          && range.hasUpperBound()
          && range.lowerBoundType() == BoundType.CLOSED
          && range.upperBoundType() == BoundType.CLOSED
          && range.lowerEndpoint().equals(range.upperEndpoint())) {
        points.add(java((Comparable<?>) range.lowerEndpoint()));
        continue;
      }
      List<Predicate> bounds = new ArrayList<>();
      if (range.hasLowerBound()) {
        bounds.add(
            Comparisons.compare(
                field,
                range.lowerBoundType() == BoundType.CLOSED
                    ? ComparisonOperator.GE
                    : ComparisonOperator.GT,
                java((Comparable<?>) range.lowerEndpoint())));
      }
      if (range.hasUpperBound()) {
        bounds.add(
            Comparisons.compare(
                field,
                range.upperBoundType() == BoundType.CLOSED
                    ? ComparisonOperator.LE
                    : ComparisonOperator.LT,
                java((Comparable<?>) range.upperEndpoint())));
      }
      terms.add(
          bounds.isEmpty()
              ? new Not(Comparisons.isNull(field))
              : bounds.size() == 1 ? bounds.get(0) : new And(bounds));
    }
    if (!points.isEmpty()) {
      terms.add(0, Comparisons.in(field, points));
    }
    Predicate matches =
        terms.isEmpty() ? Constant.FALSE : terms.size() == 1 ? terms.get(0) : new Or(terms);
    return switch (sarg.nullAs) {
      case TRUE -> new Or(List.of(Comparisons.isNull(field), matches));
      case FALSE -> new And(List.of(new Not(Comparisons.isNull(field)), matches));
      default -> matches;
    };
  }

  private static final Object NOT_CONSTANT = new Object();

  /**
   * The dataset column a node reads: a column reference, possibly widened by a cast that keeps
   * every value (an integer to a larger integer, a decimal or a floating point type).
   */
  private Field column(RexNode node) {
    if (node instanceof RexInputRef ref) {
      return columns.get(ref.getIndex());
    }
    if (node instanceof RexCall call
        && call.getKind() == SqlKind.CAST
        && call.getOperands().get(0) instanceof RexInputRef ref
        && isWidening(ref.getType().getSqlTypeName(), call.getType())
        && keepsDecimals(ref.getType(), call.getType())) {
      return columns.get(ref.getIndex());
    }
    return null;
  }

  private static boolean isWidening(SqlTypeName from, org.apache.calcite.rel.type.RelDataType to) {
    SqlTypeName target = to.getSqlTypeName();
    if (from == target && from != SqlTypeName.DECIMAL) {
      return true;
    }
    boolean integer = SqlTypeFamily.INTEGER.getTypeNames().contains(from);
    if (integer) {
      return target == SqlTypeName.BIGINT
          || target == SqlTypeName.DOUBLE
          || (target == SqlTypeName.INTEGER && from != SqlTypeName.BIGINT)
          || (target == SqlTypeName.DECIMAL && to.getPrecision() - to.getScale() >= 19);
    }
    if (from == SqlTypeName.DECIMAL && target == SqlTypeName.DECIMAL) {
      return true; // checked by the caller against the column's own precision and scale
    }
    return from == SqlTypeName.REAL && target == SqlTypeName.DOUBLE
        || (from == SqlTypeName.CHAR || from == SqlTypeName.VARCHAR)
            && target == SqlTypeName.VARCHAR;
  }

  /** Whether a cast between decimals keeps every value: no fewer integer or fraction digits. */
  private static boolean keepsDecimals(
      org.apache.calcite.rel.type.RelDataType from, org.apache.calcite.rel.type.RelDataType to) {
    if (from.getSqlTypeName() != SqlTypeName.DECIMAL
        || to.getSqlTypeName() != SqlTypeName.DECIMAL) {
      return true;
    }
    return to.getScale() >= from.getScale()
        && to.getPrecision() - to.getScale() >= from.getPrecision() - from.getScale();
  }

  private static boolean isConstant(RexNode node) {
    return RexUtil.isConstant(node);
  }

  /**
   * A constant's value as {@link Comparisons} takes it; a string cast to another type stays the
   * string (Comparisons parses it for the column's type and names it when it does not fit).
   */
  private static Object constant(RexNode node) {
    if (node instanceof RexCall call
        && call.getKind() == SqlKind.CAST
        && call.getOperands().get(0) instanceof RexLiteral literal
        && SqlTypeFamily.CHARACTER.getTypeNames().contains(literal.getType().getSqlTypeName())) {
      node = literal; // a string for a column of another type: Comparisons parses and checks it
    }
    if (node instanceof RexLiteral literal) {
      return literal.isNull() ? null : java(RexTranslator.comparableValue(literal));
    }
    if (!RexUtil.isConstant(node)) {
      return NOT_CONSTANT;
    }
    // A constant expression (2 + 3, CAST(x AS DATE), date_trunc(...)): computed now, so that it
    // prunes like the literal it is.
    Expression folded = new RexTranslator(List.of()).translate(node);
    if (!(folded instanceof Expression.Literal literal)) {
      return NOT_CONSTANT;
    }
    return literal.value() == null ? null : java(literal.value(), literal.type());
  }

  /** A literal held as {@link dev.quiver.server.expression.Column} holds it, for Comparisons. */
  private static Object java(Object value, org.apache.arrow.vector.types.pojo.ArrowType type) {
    if (type instanceof org.apache.arrow.vector.types.pojo.ArrowType.Date) {
      return LocalDate.ofEpochDay((Long) value);
    }
    if (type instanceof org.apache.arrow.vector.types.pojo.ArrowType.Timestamp) {
      long micros = (Long) value;
      return LocalDateTime.ofEpochSecond(
          Math.floorDiv(micros, 1_000_000L),
          (int) Math.floorMod(micros, 1_000_000L) * 1_000,
          java.time.ZoneOffset.UTC);
    }
    if (type instanceof org.apache.arrow.vector.types.pojo.ArrowType.Time) {
      return LocalTime.ofNanoOfDay((Long) value * 1_000L);
    }
    if (type instanceof org.apache.arrow.vector.types.pojo.ArrowType.Bool) {
      return ((Long) value) != 0;
    }
    if (value instanceof Long l) {
      return BigDecimal.valueOf(l);
    }
    if (value instanceof Double d) {
      return Double.isFinite(d) ? new BigDecimal(Double.toString(d)) : NOT_CONSTANT;
    }
    return value;
  }

  private static Object java(Comparable<?> value) {
    if (value instanceof NlsString s) {
      return s.getValue();
    }
    if (value instanceof DateString d) {
      return LocalDate.ofEpochDay(d.getDaysSinceEpoch());
    }
    if (value instanceof TimestampString t) {
      return LocalDateTime.parse(t.toString().replace(' ', 'T'));
    }
    if (value instanceof TimeString t) {
      return LocalTime.parse(t.toString());
    }
    if (value instanceof BigDecimal || value instanceof Boolean || value instanceof String) {
      return value;
    }
    if (value instanceof Number n) {
      return new BigDecimal(n.toString());
    }
    return value;
  }
}
