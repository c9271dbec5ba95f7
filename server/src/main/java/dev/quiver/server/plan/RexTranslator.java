package dev.quiver.server.plan;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.Range;
import dev.quiver.parquet.predicate.Comparisons;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.expression.Column;
import dev.quiver.server.expression.Expression;
import dev.quiver.server.expression.Expressions;
import dev.quiver.server.expression.Function;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.calcite.avatica.util.TimeUnitRange;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.util.DateString;
import org.apache.calcite.util.NlsString;
import org.apache.calcite.util.Sarg;
import org.apache.calcite.util.TimeString;
import org.apache.calcite.util.TimestampString;

/**
 * Turns Calcite row expressions into Quiver {@link Expression}s over a given input: each {@code $i}
 * becomes the input's i-th expression, so projections and filters compose without intermediate
 * columns. A function Quiver does not compute is UNIMPLEMENTED, naming it.
 */
final class RexTranslator {
  private final List<Expression> inputs;

  RexTranslator(List<Expression> inputs) {
    this.inputs = requireNonNull(inputs, "inputs is null");
  }

  Expression translate(RexNode node) {
    if (node instanceof RexInputRef ref) {
      return inputs.get(ref.getIndex());
    }
    if (node instanceof RexLiteral literal) {
      return literal(literal);
    }
    if (!(node instanceof RexCall call)) {
      throw unsupported(node.toString());
    }
    Interruptible.check();
    Expression translated = translateCall(call);
    return Expression.isConstant(translated) ? Expressions.fold(translated) : translated;
  }

  private Expression translateCall(RexCall call) {
    if (call instanceof org.apache.calcite.rex.RexOver) {
      throw unsupported("Window functions (" + call.getOperator().getName() + "(...) OVER (...))");
    }
    if (call instanceof org.apache.calcite.rex.RexSubQuery) {
      throw unsupported(
          "A subquery (" + subqueryKind(call.getKind()) + ") in a condition or the select list");
    }
    ArrowType type = type(call);
    List<RexNode> operands = call.getOperands();
    if (call.getOperator() == QuiverOperators.IN_LIST) {
      return inList(translate(operands.get(0)), (RexLiteral) operands.get(1));
    }
    SqlKind kind = call.getKind();
    switch (kind) {
      case PLUS_PREFIX:
        return translate(operands.get(0));
      case SEARCH:
        return search(translate(operands.get(0)), (RexLiteral) operands.get(1));
      case CAST:
        {
          Expression input = translate(operands.get(0));
          return input.type().equals(type) ? input : call(Function.CAST, List.of(input), type);
        }
      case EXTRACT:
        return call(
            Function.EXTRACT,
            List.of(unit(operands.get(0)), translate(operands.get(1))),
            Expression.BIGINT);
      case FLOOR:
        if (operands.size() == 2) {
          return call(
              Function.DATE_TRUNC,
              List.of(unit(operands.get(1)), translate(operands.get(0))),
              type);
        }
        throw unsupported("FLOOR of a number");
      case TRIM:
        {
          Object flag = ((RexLiteral) operands.get(0)).getValue2();
          Expression characters = translate(operands.get(1));
          if (!"BOTH".equals(String.valueOf(flag))
              || !(characters instanceof Expression.Literal l && " ".equals(l.value()))) {
            throw unsupported("TRIM other than of spaces on both sides");
          }
          return call(Function.TRIM, List.of(translate(operands.get(2))), type);
        }
      default:
        break;
    }
    Expression shifted = shiftedConstant(call, type);
    if (shifted != null) {
      return shifted;
    }
    Function function = function(call);
    List<Expression> arguments = new ArrayList<>(operands.size());
    for (RexNode operand : operands) {
      arguments.add(translate(operand));
    }
    if (function == Function.OR) {
      arguments = equalitiesAsInLists(arguments);
      if (arguments.size() == 1) {
        return arguments.get(0);
      }
    }
    return call(function, arguments, type);
  }

  /**
   * The terms of an OR with the equalities of one expression with constants gathered into one hash
   * lookup: {@code a = 1 OR a = 2 OR b = 3} becomes {@code a IN (1, 2) OR b = 3}.
   */
  private static List<Expression> equalitiesAsInLists(List<Expression> terms) {
    java.util.Map<Expression, Set<Object>> lists = new java.util.LinkedHashMap<>();
    List<Expression> others = new ArrayList<>();
    for (Expression term : terms) {
      if (term instanceof Expression.Call c
          && c.function() == Function.EQUALS
          && c.operands().get(1) instanceof Expression.Literal literal
          && literal.value() != null
          && !(c.operands().get(0) instanceof Expression.Literal)) {
        Expression value = c.operands().get(0);
        lists
            .computeIfAbsent(value, v -> new HashSet<>())
            .add(normalize(literal.value(), literal.type(), value.type()));
      } else {
        others.add(term);
      }
    }
    List<Expression> result = new ArrayList<>();
    lists.forEach((value, points) -> result.add(new Expression.InList(value, points, false)));
    result.addAll(others);
    return result;
  }

  /** A long IN list ({@link LongInLists}) as one hash lookup, values in the tested type. */
  private static Expression inList(Expression value, RexLiteral list) {
    LongInLists.Values values = LongInLists.decode(list.getValueAs(String.class));
    ArrowType type = value.type();
    boolean text = type instanceof ArrowType.Utf8 || type instanceof ArrowType.LargeUtf8;
    boolean numeric =
        type instanceof ArrowType.Int
            || type instanceof ArrowType.FloatingPoint
            || type instanceof ArrowType.Decimal;
    if (values.numbers() ? !numeric : !text) {
      throw new QuiverException(
          ErrorCode.INVALID_ARGUMENT,
          "Cannot compare a value of type "
              + Comparisons.typeName(type)
              + " with a list of "
              + values.values().size()
              + (values.numbers() ? " numbers" : " strings")
              + " in IN");
    }
    Set<Object> points = new HashSet<>();
    boolean hasNull = false;
    for (Object v : values.values()) {
      if (v == null) {
        hasNull = true;
      } else {
        points.add(values.numbers() ? normalize(v, new ArrowType.Decimal(38, 0, 128), type) : v);
      }
    }
    return new Expression.InList(value, points, hasNull);
  }

  private static Expression call(Function function, List<Expression> operands, ArrowType type) {
    return new Expression.Call(function, operands, type);
  }

  private static Function function(RexCall call) {
    switch (call.getKind()) {
      case PLUS:
        return Function.PLUS;
      case MINUS:
        return Function.MINUS;
      case TIMES:
        return Function.TIMES;
      case DIVIDE:
        return Function.DIVIDE;
      case MOD:
        return Function.MOD;
      case MINUS_PREFIX:
        return Function.NEGATE;
      case EQUALS:
        return Function.EQUALS;
      case NOT_EQUALS:
        return Function.NOT_EQUALS;
      case LESS_THAN:
        return Function.LESS_THAN;
      case LESS_THAN_OR_EQUAL:
        return Function.LESS_THAN_OR_EQUAL;
      case GREATER_THAN:
        return Function.GREATER_THAN;
      case GREATER_THAN_OR_EQUAL:
        return Function.GREATER_THAN_OR_EQUAL;
      case IS_DISTINCT_FROM:
        return Function.IS_DISTINCT_FROM;
      case IS_NOT_DISTINCT_FROM:
        return Function.IS_NOT_DISTINCT_FROM;
      case AND:
        return Function.AND;
      case OR:
        return Function.OR;
      case NOT:
        return Function.NOT;
      case IS_NULL:
        return Function.IS_NULL;
      case IS_NOT_NULL:
        return Function.IS_NOT_NULL;
      case IS_TRUE:
        return Function.IS_TRUE;
      case IS_NOT_TRUE:
        return Function.IS_NOT_TRUE;
      case IS_FALSE:
        return Function.IS_FALSE;
      case IS_NOT_FALSE:
        return Function.IS_NOT_FALSE;
      case CASE:
        return Function.CASE;
      case COALESCE:
        return Function.COALESCE;
      case LIKE:
        return Function.LIKE;
      default:
        break;
    }
    String name = call.getOperator().getName().toUpperCase(Locale.ROOT);
    return switch (name) {
      case "LOWER" -> Function.LOWER;
      case "UPPER" -> Function.UPPER;
      case "SUBSTRING" -> Function.SUBSTRING;
      case "CHAR_LENGTH", "CHARACTER_LENGTH", "LENGTH" -> Function.CHAR_LENGTH;
      case "STRLEN" -> Function.OCTET_LENGTH;
      case "REGEXP_REPLACE" -> Function.REGEXP_REPLACE;
      case "||", "CONCAT" -> Function.CONCAT;
      case "DATE_TRUNC" -> Function.DATE_TRUNC;
      case "ABS" -> Function.ABS;
      default -> throw unsupported("Function " + call.getOperator().getName());
    };
  }

  /** A time unit symbol (YEAR, MONTH...) as a VARCHAR literal. */
  private static Expression unit(RexNode node) {
    Object value = ((RexLiteral) node).getValue();
    String unit = value instanceof TimeUnitRange range ? range.name() : String.valueOf(value);
    return new Expression.Literal(unit, Expression.VARCHAR);
  }

  private Expression search(Expression value, RexLiteral sargLiteral) {
    Sarg<?> sarg = sargLiteral.getValueAs(Sarg.class);
    ArrowType type = value.type();
    ArrowType literalType = ArrowTypes.toArrow(sargLiteral.getType());
    Set<Object> points = new HashSet<>();
    List<Expression> terms = new ArrayList<>();
    for (Range<?> range : sarg.rangeSet.asRanges()) {
      if (isPoint(range)) {
        points.add(
            normalize(held((Comparable<?>) range.lowerEndpoint(), literalType), literalType, type));
        continue;
      }
      List<Expression> bounds = new ArrayList<>();
      if (range.hasLowerBound()) {
        bounds.add(
            compare(
                range.lowerBoundType() == com.google.common.collect.BoundType.CLOSED
                    ? Function.GREATER_THAN_OR_EQUAL
                    : Function.GREATER_THAN,
                value,
                literalOf((Comparable<?>) range.lowerEndpoint(), literalType)));
      }
      if (range.hasUpperBound()) {
        bounds.add(
            compare(
                range.upperBoundType() == com.google.common.collect.BoundType.CLOSED
                    ? Function.LESS_THAN_OR_EQUAL
                    : Function.LESS_THAN,
                value,
                literalOf((Comparable<?>) range.upperEndpoint(), literalType)));
      }
      if (bounds.isEmpty()) {
        bounds.add(call(Function.IS_NOT_NULL, List.of(value), Expression.BOOLEAN));
      }
      terms.add(
          bounds.size() == 1 ? bounds.get(0) : call(Function.AND, bounds, Expression.BOOLEAN));
    }
    if (!points.isEmpty()) {
      terms.add(0, new Expression.InList(value, points, false));
    }
    Expression matches =
        terms.isEmpty()
            ? new Expression.Literal(false, Expression.BOOLEAN)
            : terms.size() == 1 ? terms.get(0) : call(Function.OR, terms, Expression.BOOLEAN);
    return switch (sarg.nullAs) {
      case TRUE ->
          call(
              Function.OR,
              List.of(call(Function.IS_NULL, List.of(value), Expression.BOOLEAN), matches),
              Expression.BOOLEAN);
      case FALSE ->
          call(
              Function.AND,
              List.of(call(Function.IS_NOT_NULL, List.of(value), Expression.BOOLEAN), matches),
              Expression.BOOLEAN);
      default -> matches;
    };
  }

  private static Expression compare(Function function, Expression left, Expression right) {
    return call(function, List.of(left, right), Expression.BOOLEAN);
  }

  private static boolean isPoint(Range<?> range) {
    return range.hasLowerBound()
        && range.hasUpperBound()
        && range.lowerEndpoint().equals(range.upperEndpoint())
        && range.lowerBoundType() == com.google.common.collect.BoundType.CLOSED
        && range.upperBoundType() == com.google.common.collect.BoundType.CLOSED;
  }

  /**
   * An IN-list value held as the compared column holds its values, so that a hash lookup finds it:
   * numbers in the column's representation, decimals without trailing zeros.
   */
  private static Object normalize(Object value, ArrowType literalType, ArrowType columnType) {
    Column.Representation representation = Column.Representation.of(columnType);
    if (representation == Column.Representation.DOUBLE && value instanceof Number n) {
      double d = n instanceof BigDecimal b ? b.doubleValue() : n.doubleValue();
      return d == 0.0 ? 0.0 : d;
    }
    if (columnType instanceof ArrowType.Decimal && value instanceof Number n) {
      BigDecimal d = n instanceof BigDecimal b ? b : BigDecimal.valueOf(n.longValue());
      return d.stripTrailingZeros();
    }
    if (representation == Column.Representation.LONG && value instanceof BigDecimal d) {
      // An integer column: a fractional point can never match.
      return d.stripTrailingZeros().scale() <= 0 ? (Object) d.longValueExact() : d;
    }
    if (columnType instanceof ArrowType.Timestamp && literalType instanceof ArrowType.Date) {
      return (Long) value * 86_400_000_000L;
    }
    return value;
  }

  private static Expression literalOf(Comparable<?> value, ArrowType type) {
    return new Expression.Literal(held(value, type), type);
  }

  /** A Calcite literal value (as a Sarg holds it) in {@link Column}'s representation. */
  private static Object held(Comparable<?> value, ArrowType type) {
    if (value instanceof NlsString s) {
      return s.getValue();
    }
    if (value instanceof DateString d) {
      return (long) d.getDaysSinceEpoch();
    }
    if (value instanceof TimestampString t) {
      return t.getMillisSinceEpoch() * 1_000L;
    }
    if (value instanceof TimeString t) {
      return t.getMillisOfDay() * 1_000L;
    }
    if (value instanceof BigDecimal d) {
      Column.Representation representation = Column.Representation.of(type);
      if (representation == Column.Representation.LONG) {
        return d.stripTrailingZeros().scale() <= 0 ? (Object) d.longValueExact() : d;
      }
      return representation == Column.Representation.DOUBLE ? (Object) d.doubleValue() : d;
    }
    if (value instanceof Boolean b) {
      return b ? 1L : 0L;
    }
    if (value instanceof Double d) {
      return d;
    }
    return value;
  }

  private static Expression literal(RexLiteral literal) {
    ArrowType type;
    if (literal.getType().getSqlTypeName() == SqlTypeName.SYMBOL) {
      return unit(literal);
    }
    if (SqlTypeName.INTERVAL_TYPES.contains(literal.getType().getSqlTypeName())) {
      throw unsupported(
          "An INTERVAL other than one added to or subtracted from a constant date or timestamp");
    }
    if (literal.isNull()) {
      SqlTypeName name = literal.getType().getSqlTypeName();
      return new Expression.Literal(
          null,
          name == SqlTypeName.NULL ? Expression.VARCHAR : ArrowTypes.toArrow(literal.getType()));
    }
    type = ArrowTypes.toArrow(literal.getType());
    Comparable<?> value = comparableValue(literal);
    if (value instanceof BigDecimal && type instanceof ArrowType.Int) {
      return new Expression.Literal(((BigDecimal) value).longValueExact(), type);
    }
    if (value != null) {
      return new Expression.Literal(held(value, type), type);
    }
    throw unsupported("Literal " + literal);
  }

  /**
   * A literal's value as Calcite compares it: BigDecimal, NlsString, Boolean, DateString,
   * TimestampString or TimeString; null for other kinds.
   */
  static Comparable<?> comparableValue(RexLiteral literal) {
    return switch (literal.getType().getSqlTypeName()) {
      case DATE -> literal.getValueAs(DateString.class);
      case TIMESTAMP, TIMESTAMP_WITH_LOCAL_TIME_ZONE -> literal.getValueAs(TimestampString.class);
      case TIME -> literal.getValueAs(TimeString.class);
      case CHAR, VARCHAR -> literal.getValueAs(NlsString.class);
      case BOOLEAN -> literal.getValueAs(Boolean.class);
      case TINYINT, SMALLINT, INTEGER, BIGINT, DECIMAL, REAL, FLOAT, DOUBLE ->
          literal.getValueAs(BigDecimal.class);
      default -> null;
    };
  }

  /**
   * A constant date or timestamp plus or minus a constant interval ({@code DATE '1998-12-01' -
   * INTERVAL '90' DAY}), computed now into a literal, so that it compares with columns and pushes
   * down like one; null for any other call. Year-month intervals move by calendar months (the end
   * of a month stays within the month, as in DuckDB); day-time intervals by their length.
   */
  private Expression shiftedConstant(RexCall call, ArrowType type) {
    SqlKind kind = call.getKind();
    if ((kind != SqlKind.PLUS && kind != SqlKind.MINUS) || call.getOperands().size() != 2) {
      return null;
    }
    RexNode when = call.getOperands().get(0);
    RexNode by = call.getOperands().get(1);
    if (kind == SqlKind.PLUS && isInterval(when)) {
      RexNode swapped = when;
      when = by;
      by = swapped;
    }
    if (!(by instanceof RexLiteral interval)
        || !isInterval(interval)
        || interval.isNull()
        || isInterval(when)) {
      return null;
    }
    // The date may itself be computed from constants: DATE '2024-02-29' + INTERVAL '1' YEAR - ...
    if (!(translate(when) instanceof Expression.Literal start) || start.value() == null) {
      return null;
    }
    java.time.LocalDateTime moment;
    if (start.type() instanceof ArrowType.Date) {
      moment = java.time.LocalDate.ofEpochDay((Long) start.value()).atStartOfDay();
    } else if (start.type() instanceof ArrowType.Timestamp) {
      long micros = (Long) start.value();
      moment =
          java.time.LocalDateTime.ofEpochSecond(
              Math.floorDiv(micros, 1_000_000L),
              (int) Math.floorMod(micros, 1_000_000L) * 1_000,
              java.time.ZoneOffset.UTC);
    } else {
      return null;
    }
    BigDecimal amount = interval.getValueAs(BigDecimal.class);
    if (kind == SqlKind.MINUS) {
      amount = amount.negate();
    }
    java.time.LocalDateTime shifted;
    try {
      shifted =
          interval.getType().getSqlTypeName().getStartUnit().yearMonth
              ? moment.plusMonths(amount.longValueExact())
              : moment.plus(java.time.Duration.ofMillis(amount.longValueExact()));
    } catch (ArithmeticException | java.time.DateTimeException e) {
      throw new QuiverException(
          ErrorCode.INVALID_ARGUMENT,
          "Cannot add " + interval + " to " + when + ": the result is out of range");
    }
    if (type instanceof ArrowType.Date) {
      if (!shifted.toLocalTime().equals(java.time.LocalTime.MIDNIGHT)) {
        return null;
      }
      return new Expression.Literal(shifted.toLocalDate().toEpochDay(), type);
    }
    if (type instanceof ArrowType.Timestamp) {
      java.time.Instant instant = shifted.toInstant(java.time.ZoneOffset.UTC);
      try {
        return new Expression.Literal(
            Math.addExact(
                Math.multiplyExact(instant.getEpochSecond(), 1_000_000L),
                instant.getNano() / 1_000),
            type);
      } catch (ArithmeticException e) {
        throw new QuiverException(
            ErrorCode.INVALID_ARGUMENT,
            "Cannot add " + interval + " to " + when + ": the result is out of range");
      }
    }
    return null;
  }

  private static boolean isInterval(RexNode node) {
    return SqlTypeName.INTERVAL_TYPES.contains(node.getType().getSqlTypeName());
  }

  private static ArrowType type(RexCall call) {
    try {
      return ArrowTypes.toArrow(call.getType());
    } catch (IllegalArgumentException e) {
      throw unsupported(call.getOperator().getName() + " returning " + call.getType());
    }
  }

  private static String subqueryKind(SqlKind kind) {
    return switch (kind) {
      case IN -> "IN (SELECT ...)";
      case NOT_IN -> "NOT IN (SELECT ...)";
      case EXISTS -> "EXISTS (SELECT ...)";
      case SCALAR_QUERY -> "(SELECT ...) as a value";
      default -> kind.sql;
    };
  }

  static QuiverException unsupported(String what) {
    return new QuiverException(ErrorCode.UNIMPLEMENTED, what + " is not supported yet");
  }
}
