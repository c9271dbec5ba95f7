package dev.quiver.server.sql;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.parquet.predicate.And;
import dev.quiver.parquet.predicate.ComparisonOperator;
import dev.quiver.parquet.predicate.Comparisons;
import dev.quiver.parquet.predicate.Constant;
import dev.quiver.parquet.predicate.Not;
import dev.quiver.parquet.predicate.Or;
import dev.quiver.parquet.predicate.Predicate;
import dev.quiver.parquet.predicate.PredicateTypeException;
import dev.quiver.parquet.predicate.ValueKind;
import dev.quiver.server.catalog.Catalog;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.avatica.util.Quoting;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlCharStringLiteral;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlDateLiteral;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlNumericLiteral;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlTimeLiteral;
import org.apache.calcite.sql.SqlTimestampLiteral;
import org.apache.calcite.sql.SqlUnknownLiteral;
import org.apache.calcite.sql.fun.SqlBetweenOperator;
import org.apache.calcite.sql.fun.SqlLikeOperator;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.parser.babel.SqlBabelParserImpl;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.validate.SqlConformanceEnum;
import org.apache.calcite.util.DateString;
import org.apache.calcite.util.TimeString;
import org.apache.calcite.util.TimestampString;

/**
 * Plans {@code SELECT <columns | * | expressions> FROM <dataset> [WHERE <predicate>] [LIMIT n]}.
 *
 * <p>Calcite's parser reads the text (identifiers are case-sensitive, quoted with double quotes);
 * validation against the catalog is ours. Problems are {@link QuiverException}s: INVALID_ARGUMENT
 * for a query that is wrong (syntax with line and column, unknown dataset or column listing what
 * exists, a literal of the wrong type), UNIMPLEMENTED for valid SQL Quiver does not run yet.
 */
public final class QueryPlanner {
  private static final SqlParser.Config PARSER =
      SqlParser.config()
          .withParserFactory(SqlBabelParserImpl.FACTORY)
          .withQuoting(Quoting.DOUBLE_QUOTE)
          .withUnquotedCasing(Casing.UNCHANGED)
          .withQuotedCasing(Casing.UNCHANGED)
          .withCaseSensitive(true)
          .withConformance(SqlConformanceEnum.LENIENT);

  /**
   * The one schema datasets are listed under for SQL tools ({@code main.trips}); a name may be
   * qualified with it or not.
   */
  public static final String SCHEMA = "main";

  private final Catalog catalog;

  public QueryPlanner(Catalog catalog) {
    this.catalog = requireNonNull(catalog, "catalog is null");
  }

  /** Parses and validates {@code sql}: a scan, or an aggregation when it groups or aggregates. */
  public Query plan(String sql) {
    requireNonNull(sql, "sql is null");
    SqlNode node = parse(sql);
    OptionalLong limit = OptionalLong.empty();
    SqlNodeList orderList = null;
    if (node instanceof SqlOrderBy orderBy) {
      if (orderBy.offset != null) {
        throw unimplemented("OFFSET is not supported yet");
      }
      orderList = orderBy.orderList;
      limit = limit(orderBy.fetch);
      node = orderBy.query;
    }
    if (!(node instanceof SqlSelect select)) {
      throw notSelect(node);
    }
    if (select.getFetch() != null) {
      limit = limit(select.getFetch());
    }
    if (select.getOffset() != null) {
      throw unimplemented("OFFSET is not supported yet");
    }
    if (select.getOrderList() != null && !select.getOrderList().isEmpty()) {
      orderList = select.getOrderList();
    }
    Scope scope = new Scope(dataset(select.getFrom()), sql);
    Predicate filter =
        select.getWhere() == null ? Constant.TRUE : predicate(scope, select.getWhere());
    if (AggregatePlanner.isAggregate(select)) {
      return new AggregatePlanner(scope, this::predicate).plan(select, filter, orderList, limit);
    }
    if (select.isDistinct()) {
      throw unimplemented("SELECT DISTINCT is not supported yet; use GROUP BY");
    }
    if (orderList != null && !orderList.isEmpty()) {
      throw unimplemented(
          "ORDER BY is supported for aggregate queries only so far; sort a plain scan on the"
              + " client");
    }
    List<QueryPlan.Projection> projections = new ArrayList<>();
    for (SqlNode item : select.getSelectList()) {
      projections.addAll(projections(scope, item));
    }
    Set<String> scanColumns = new LinkedHashSet<>();
    for (QueryPlan.Projection projection : projections) {
      collectColumns(projection.expression(), scanColumns);
    }
    return new QueryPlan(
        sql, scope.dataset(), List.copyOf(scanColumns), filter, projections, limit);
  }

  /**
   * Parses and validates a query with {@code ?} parameters. Each marker must be compared with a
   * column (in WHERE or HAVING), whose type becomes the parameter's.
   */
  public PreparedQuery prepare(String sql) {
    requireNonNull(sql, "sql is null");
    List<Parameters.Marker> markers = Parameters.find(parse(sql));
    if (markers.isEmpty()) {
      return new PreparedQuery(sql, List.of(), plan(sql).schema());
    }
    Scope scope = new Scope(dataset(select(parse(sql)).getFrom()), sql);
    List<Field> parameters = new ArrayList<>();
    for (Parameters.Marker marker : markers) {
      if (marker.column() == null) {
        SqlParserPos pos = marker.param().getParserPosition();
        throw invalid(
            "Parameter "
                + (marker.param().getIndex() + 1)
                + " at line "
                + pos.getLineNum()
                + ", column "
                + pos.getColumnNum()
                + " must be compared with a column");
      }
      Field column = scope.column(marker.column());
      parameters.add(
          new Field(
              "parameter_" + (marker.param().getIndex() + 1),
              new FieldType(true, column.getType(), null),
              null));
    }
    List<Object> examples = new ArrayList<>();
    parameters.forEach(p -> examples.add(Parameters.example(p.getType())));
    Schema schema = plan(Parameters.bind(sql, markers, examples)).schema();
    return new PreparedQuery(sql, parameters, schema);
  }

  /**
   * The text of {@code sql} with its {@code ?} markers replaced by {@code values} as literals, in
   * order: an ordinary query to {@link #plan}.
   */
  public String bind(String sql, List<Object> values) {
    return Parameters.bind(sql, Parameters.find(parse(sql)), values);
  }

  /** The SELECT of a query, below its ORDER BY / LIMIT. */
  private static SqlSelect select(SqlNode node) {
    if (node instanceof SqlOrderBy orderBy) {
      node = orderBy.query;
    }
    if (!(node instanceof SqlSelect select)) {
      throw notSelect(node);
    }
    return select;
  }

  /** Writes and DDL are UNIMPLEMENTED (Quiver is read-only); other statements are not queries. */
  private static QuiverException notSelect(SqlNode node) {
    if (SqlKind.DML.contains(node.getKind()) || SqlKind.DDL.contains(node.getKind())) {
      return unimplemented(
          "Quiver is read-only: " + node.getKind() + " statements are not supported");
    }
    return invalid("Only SELECT queries are supported, got " + node.getKind());
  }

  private static SqlNode parse(String sql) {
    try {
      return SqlParser.create(sql, PARSER).parseQuery();
    } catch (SqlParseException e) {
      SqlParserPos pos = e.getPos();
      String message = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
      message = message.replaceFirst(" at line \\d+, column \\d+\\.?$", "");
      throw invalid(
          pos == null
              ? "SQL syntax error: " + message
              : "SQL syntax error at line "
                  + pos.getLineNum()
                  + ", column "
                  + pos.getColumnNum()
                  + ": "
                  + message);
    }
  }

  private OptionalLong limit(SqlNode fetch) {
    if (fetch == null) {
      return OptionalLong.empty();
    }
    if (fetch instanceof SqlNumericLiteral number && number.isInteger()) {
      long value = number.getValueAs(Long.class);
      if (value >= 0) {
        return OptionalLong.of(value);
      }
    }
    throw invalid("LIMIT must be a non-negative integer, got " + fetch);
  }

  private Dataset dataset(SqlNode from) {
    if (from instanceof SqlBasicCall call && call.getKind() == SqlKind.AS) {
      from = call.operand(0);
    }
    if (!(from instanceof SqlIdentifier identifier)) {
      throw unimplemented(
          "FROM must name one dataset; joins and subqueries are not supported, got " + from);
    }
    List<String> names = identifier.names;
    if (names.size() == 2 && names.get(0).equalsIgnoreCase(SCHEMA)) {
      names = names.subList(1, 2);
    }
    String name = String.join(".", names);
    return catalog
        .find(name)
        .or(() -> Scope.unique(catalog.names(), n -> n, name).flatMap(catalog::find))
        .orElseThrow(
            () ->
                invalid(
                    "Unknown dataset '"
                        + name
                        + "'; datasets are: "
                        + String.join(", ", catalog.names())));
  }

  private List<QueryPlan.Projection> projections(Scope scope, SqlNode item) {
    if (item instanceof SqlIdentifier identifier && identifier.isStar()) {
      return scope.dataset().schema().getFields().stream()
          .map(f -> new QueryPlan.Projection(f.getName(), new Expression.ColumnRef(f)))
          .toList();
    }
    String name;
    SqlNode expression = item;
    if (item instanceof SqlBasicCall call && call.getKind() == SqlKind.AS) {
      expression = call.operand(0);
      name = ((SqlIdentifier) call.operand(1)).getSimple();
    } else if (item instanceof SqlIdentifier identifier) {
      name = identifier.names.get(identifier.names.size() - 1);
    } else {
      name = scope.text(item);
    }
    return List.of(new QueryPlan.Projection(name, expression(scope, expression)));
  }

  private Expression expression(Scope scope, SqlNode node) {
    if (node instanceof SqlIdentifier identifier) {
      return new Expression.ColumnRef(scope.column(identifier));
    }
    if (node instanceof SqlLiteral literal) {
      Object value = literalValue(literal);
      if (value instanceof BigDecimal d) {
        return d.scale() <= 0 && d.unscaledValue().bitLength() < 63
            ? new Expression.Literal(d.longValueExact(), Expression.BIGINT)
            : new Expression.Literal(d.doubleValue(), Expression.DOUBLE);
      }
      if (value instanceof String s) {
        return new Expression.Literal(s, Expression.VARCHAR);
      }
      if (value instanceof Boolean b) {
        return new Expression.Literal(b, Expression.BOOLEAN);
      }
      throw unimplemented("Literal " + literal + " in the select list is not supported");
    }
    if (!(node instanceof SqlCall call)) {
      throw unimplemented("Expression " + node + " is not supported");
    }
    switch (call.getKind()) {
      case CAST:
        return new Expression.Cast(
            expression(scope, call.operand(0)), castType((SqlDataTypeSpec) call.operand(1)));
      case PLUS:
      case MINUS:
      case TIMES:
      case DIVIDE:
      case MOD:
        {
          Expression left = expression(scope, call.operand(0));
          Expression right = expression(scope, call.operand(1));
          requireNumeric(left, call);
          requireNumeric(right, call);
          char operator =
              switch (call.getKind()) {
                case PLUS -> '+';
                case MINUS -> '-';
                case TIMES -> '*';
                case DIVIDE -> '/';
                default -> '%';
              };
          boolean integers = isInteger(left.type()) && isInteger(right.type()) && operator != '/';
          return new Expression.Arithmetic(
              operator, left, right, integers ? Expression.BIGINT : Expression.DOUBLE);
        }
      case MINUS_PREFIX:
        {
          Expression operand = expression(scope, call.operand(0));
          requireNumeric(operand, call);
          Expression zero = new Expression.Literal(0L, Expression.BIGINT);
          return new Expression.Arithmetic(
              '-',
              zero,
              operand,
              isInteger(operand.type()) ? Expression.BIGINT : Expression.DOUBLE);
        }
      default:
        if (call.getOperator().isAggregator()) {
          throw unimplemented(
              "Aggregate " + call.getOperator().getName() + " is not supported yet");
        }
        throw unimplemented("Expression " + call + " is not supported");
    }
  }

  private static boolean isInteger(ArrowType type) {
    return type instanceof ArrowType.Int;
  }

  private static void requireNumeric(Expression expression, SqlCall call) {
    ArrowType type = expression.type();
    if (!(type instanceof ArrowType.Int
        || type instanceof ArrowType.FloatingPoint
        || type instanceof ArrowType.Decimal)) {
      throw invalid(
          "Arithmetic needs numbers, but " + call + " has an operand of type " + typeName(type));
    }
  }

  private static ArrowType castType(SqlDataTypeSpec spec) {
    String name = spec.getTypeName().getSimple().toUpperCase(Locale.ROOT);
    return switch (name) {
      case "BIGINT" -> Expression.BIGINT;
      case "INTEGER", "INT" -> Expression.INTEGER;
      case "DOUBLE" -> Expression.DOUBLE;
      case "REAL", "FLOAT" -> Expression.REAL;
      case "VARCHAR", "CHAR" -> Expression.VARCHAR;
      case "BOOLEAN" -> Expression.BOOLEAN;
      default ->
          throw unimplemented(
              "CAST to "
                  + name
                  + " is not supported; casts go to BIGINT, INTEGER, DOUBLE, REAL, VARCHAR or"
                  + " BOOLEAN");
    };
  }

  private static void collectColumns(Expression expression, Set<String> into) {
    if (expression instanceof Expression.ColumnRef ref) {
      into.add(ref.field().getName());
    } else if (expression instanceof Expression.Cast cast) {
      collectColumns(cast.input(), into);
    } else if (expression instanceof Expression.Arithmetic arithmetic) {
      collectColumns(arithmetic.left(), into);
      collectColumns(arithmetic.right(), into);
    }
  }

  private Predicate predicate(Scope scope, SqlNode node) {
    try {
      return translate(scope, node);
    } catch (PredicateTypeException e) {
      throw invalid(e.getMessage());
    }
  }

  private Predicate translate(Scope scope, SqlNode node) {
    if (node instanceof SqlLiteral literal && literal.getTypeName() == SqlTypeName.BOOLEAN) {
      return Constant.of(literal.booleanValue());
    }
    if (node instanceof SqlLiteral literal && literal.getTypeName() == SqlTypeName.NULL) {
      return Constant.NULL;
    }
    if (node instanceof SqlIdentifier identifier) {
      Field field = scope.column(identifier);
      if (ValueKind.of(field) != ValueKind.BOOLEAN) {
        throw invalid("WHERE needs a condition, but " + field.getName() + " is not BOOLEAN");
      }
      return Comparisons.compare(field, ComparisonOperator.EQ, Boolean.TRUE);
    }
    if (!(node instanceof SqlCall call)) {
      throw invalid("WHERE needs a condition, got " + node);
    }
    SqlKind kind = call.getKind();
    switch (kind) {
      case AND:
        return new And(call.getOperandList().stream().map(n -> translate(scope, n)).toList());
      case OR:
        return new Or(call.getOperandList().stream().map(n -> translate(scope, n)).toList());
      case NOT:
        return new Not(translate(scope, call.operand(0)));
      case IS_NULL:
        return Comparisons.isNull(column(scope, call.operand(0), call));
      case IS_NOT_NULL:
        return new Not(Comparisons.isNull(column(scope, call.operand(0), call)));
      case EQUALS:
      case NOT_EQUALS:
      case LESS_THAN:
      case LESS_THAN_OR_EQUAL:
      case GREATER_THAN:
      case GREATER_THAN_OR_EQUAL:
        return comparison(scope, call);
      case BETWEEN:
        {
          Field field = column(scope, call.operand(0), call);
          Predicate between =
              new And(
                  List.of(
                      Comparisons.compare(
                          field, ComparisonOperator.GE, literal(call.operand(1), call)),
                      Comparisons.compare(
                          field, ComparisonOperator.LE, literal(call.operand(2), call))));
          boolean negated =
              call.getOperator() instanceof SqlBetweenOperator between2 && between2.isNegated();
          return negated ? new Not(between) : between;
        }
      case IN:
      case NOT_IN:
        {
          Field field = column(scope, call.operand(0), call);
          if (!(call.operand(1) instanceof SqlNodeList list)) {
            throw unimplemented("IN takes a list of literals; subqueries are not supported");
          }
          List<Object> values = new ArrayList<>();
          for (SqlNode value : list) {
            values.add(literal(value, call));
          }
          Predicate in = Comparisons.in(field, values);
          return kind == SqlKind.NOT_IN ? new Not(in) : in;
        }
      case LIKE:
        {
          Field field = column(scope, call.operand(0), call);
          Object pattern = literal(call.operand(1), call);
          if (!(pattern instanceof String text)) {
            throw invalid("LIKE needs a string pattern, got " + call.operand(1));
          }
          Character escape = null;
          if (call.operandCount() > 2) {
            Object escapeText = literal(call.operand(2), call);
            if (!(escapeText instanceof String e) || e.length() != 1) {
              throw invalid("ESCAPE must be one character, got " + call.operand(2));
            }
            escape = e.charAt(0);
          }
          Predicate like = Comparisons.like(field, text, escape);
          boolean negated =
              call.getOperator() instanceof SqlLikeOperator likeOperator
                  && likeOperator.isNegated();
          return negated ? new Not(like) : like;
        }
      default:
        throw unimplemented(
            "WHERE supports comparisons, BETWEEN, IN, IS [NOT] NULL, LIKE, AND, OR and NOT;"
                + " got "
                + call.getOperator().getName()
                + " in "
                + call);
    }
  }

  private Predicate comparison(Scope scope, SqlCall call) {
    ComparisonOperator op =
        switch (call.getKind()) {
          case EQUALS -> ComparisonOperator.EQ;
          case NOT_EQUALS -> ComparisonOperator.NE;
          case LESS_THAN -> ComparisonOperator.LT;
          case LESS_THAN_OR_EQUAL -> ComparisonOperator.LE;
          case GREATER_THAN -> ComparisonOperator.GT;
          default -> ComparisonOperator.GE;
        };
    SqlNode left = call.operand(0);
    SqlNode right = call.operand(1);
    if (!isColumn(scope, left) && isColumn(scope, right)) {
      SqlNode swap = left;
      left = right;
      right = swap;
      op = op.flip();
    }
    if (isColumn(scope, left) && isColumn(scope, right)) {
      throw unimplemented("Comparing two columns (" + call + ") is not supported yet");
    }
    return Comparisons.compare(column(scope, left, call), op, literal(right, call));
  }

  /** Whether a node names a column: an identifier, or in HAVING also an aggregate. */
  private static boolean isColumn(Scope scope, SqlNode node) {
    return node instanceof SqlIdentifier
        || (scope.aggregates() != null && AggregatePlanner.isAggregateCall(node));
  }

  private Field column(Scope scope, SqlNode node, SqlCall in) {
    if (node instanceof SqlIdentifier identifier) {
      return scope.column(identifier);
    }
    if (scope.aggregates() != null && AggregatePlanner.isAggregateCall(node)) {
      return scope.aggregates().apply((SqlCall) node);
    }
    throw unimplemented("Conditions apply to a column; " + node + " in " + in + " is not a column");
  }

  /**
   * A literal's Java value: BigDecimal, String, Boolean, LocalDate, LocalDateTime, LocalTime or
   * null.
   */
  private static Object literal(SqlNode node, SqlCall in) {
    if (node instanceof SqlLiteral literal) {
      return literalValue(literal);
    }
    if (node instanceof SqlCall call
        && call.getKind() == SqlKind.MINUS_PREFIX
        && literal(call.operand(0), in) instanceof BigDecimal number) {
      return number.negate();
    }
    if (node instanceof SqlCall call && call.getKind() == SqlKind.CAST) {
      Object value = literal(call.operand(0), in);
      String type =
          ((SqlDataTypeSpec) call.operand(1)).getTypeName().getSimple().toUpperCase(Locale.ROOT);
      try {
        return switch (type) {
          case "DATE" -> value == null ? null : LocalDate.parse(value.toString().trim());
          case "TIMESTAMP" ->
              value == null ? null : LocalDateTime.parse(value.toString().trim().replace(' ', 'T'));
          default -> value;
        };
      } catch (DateTimeParseException e) {
        throw invalid("Cannot cast " + call.operand(0) + " to " + type);
      }
    }
    throw unimplemented("Expected a literal in " + in + ", got " + node);
  }

  private static Object literalValue(SqlLiteral literal) {
    if (literal.getTypeName() == SqlTypeName.NULL) {
      return null;
    }
    if (literal instanceof SqlUnknownLiteral typed) {
      // DATE '...', TIMESTAMP '...' and TIME '...' stay untyped until validation; type them here.
      String text = typed.getValue().trim();
      try {
        return switch (typed.tag.toUpperCase(Locale.ROOT)) {
          case "DATE" -> LocalDate.parse(text);
          case "TIMESTAMP" -> LocalDateTime.parse(text.replace(' ', 'T'));
          case "TIME" -> LocalTime.parse(text);
          default -> throw unimplemented("Literal " + literal + " is not supported");
        };
      } catch (DateTimeParseException e) {
        throw invalid("Invalid " + typed.tag + " literal '" + text + "'");
      }
    }
    if (literal instanceof SqlNumericLiteral number) {
      return number.getValueAs(BigDecimal.class);
    }
    if (literal instanceof SqlCharStringLiteral text) {
      return text.getValueAs(String.class);
    }
    if (literal instanceof SqlDateLiteral date) {
      return LocalDate.parse(date.getValueAs(DateString.class).toString());
    }
    if (literal instanceof SqlTimestampLiteral timestamp) {
      return LocalDateTime.parse(
          timestamp.getValueAs(TimestampString.class).toString().replace(' ', 'T'));
    }
    if (literal instanceof SqlTimeLiteral time) {
      return LocalTime.parse(time.getValueAs(TimeString.class).toString());
    }
    if (literal.getTypeName() == SqlTypeName.BOOLEAN) {
      return literal.booleanValue();
    }
    throw unimplemented(
        "Literal " + literal + " of type " + literal.getTypeName() + " is not supported");
  }

  private static String typeName(ArrowType type) {
    return Comparisons.typeName(new Field("x", new FieldType(true, type, null), null));
  }

  static QuiverException invalid(String message) {
    return new QuiverException(ErrorCode.INVALID_ARGUMENT, message);
  }

  static QuiverException unimplemented(String message) {
    return new QuiverException(ErrorCode.UNIMPLEMENTED, message);
  }
}
