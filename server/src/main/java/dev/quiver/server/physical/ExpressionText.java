package dev.quiver.server.physical;

import dev.quiver.parquet.predicate.And;
import dev.quiver.parquet.predicate.Comparison;
import dev.quiver.parquet.predicate.Constant;
import dev.quiver.parquet.predicate.InList;
import dev.quiver.parquet.predicate.IsNull;
import dev.quiver.parquet.predicate.Like;
import dev.quiver.parquet.predicate.Not;
import dev.quiver.parquet.predicate.Or;
import dev.quiver.parquet.predicate.Predicate;
import dev.quiver.server.expression.Expression;
import dev.quiver.server.expression.Function;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Expressions and pushed-down predicates as EXPLAIN prints them, in SQL's notation. */
final class ExpressionText {
  private static final Map<Function, String> INFIX =
      Map.ofEntries(
          Map.entry(Function.PLUS, "+"),
          Map.entry(Function.MINUS, "-"),
          Map.entry(Function.TIMES, "*"),
          Map.entry(Function.DIVIDE, "/"),
          Map.entry(Function.MOD, "%"),
          Map.entry(Function.EQUALS, "="),
          Map.entry(Function.NOT_EQUALS, "<>"),
          Map.entry(Function.LESS_THAN, "<"),
          Map.entry(Function.LESS_THAN_OR_EQUAL, "<="),
          Map.entry(Function.GREATER_THAN, ">"),
          Map.entry(Function.GREATER_THAN_OR_EQUAL, ">="),
          Map.entry(Function.IS_DISTINCT_FROM, "IS DISTINCT FROM"),
          Map.entry(Function.IS_NOT_DISTINCT_FROM, "IS NOT DISTINCT FROM"),
          Map.entry(Function.AND, "AND"),
          Map.entry(Function.OR, "OR"),
          Map.entry(Function.LIKE, "LIKE"));

  private ExpressionText() {}

  static String of(Expression expression) {
    if (expression instanceof Expression.ColumnRef ref) {
      return ref.field().getName();
    }
    if (expression instanceof Expression.Literal literal) {
      return literal(literal.value());
    }
    if (expression instanceof Expression.InList in) {
      return of(in.value())
          + " IN ("
          + in.values().stream().map(ExpressionText::literal).sorted().collect(joining())
          + (in.hasNull() ? ", NULL" : "")
          + ")";
    }
    Expression.Call call = (Expression.Call) expression;
    return call(call.function(), call.operands());
  }

  private static String call(Function function, List<Expression> operands) {
    String infix = INFIX.get(function);
    if (infix != null && operands.size() >= 2) {
      return operands.stream()
          .map(o -> o instanceof Expression.Call ? "(" + of(o) + ")" : of(o))
          .collect(Collectors.joining(" " + infix + " "));
    }
    return switch (function) {
      case NEGATE -> "-" + of(operands.get(0));
      case NOT -> "NOT " + of(operands.get(0));
      case IS_NULL -> of(operands.get(0)) + " IS NULL";
      case IS_NOT_NULL -> of(operands.get(0)) + " IS NOT NULL";
      default ->
          function.name()
              + "("
              + operands.stream().map(ExpressionText::of).collect(joining())
              + ")";
    };
  }

  static String of(Predicate predicate) {
    if (predicate instanceof Comparison c) {
      return c.column() + " " + c.operator().symbol() + " " + literal(c.value());
    }
    if (predicate instanceof InList in) {
      return in.column()
          + " IN ("
          + in.values().stream().map(ExpressionText::literal).collect(joining())
          + ")";
    }
    if (predicate instanceof IsNull n) {
      return n.column() + " IS NULL";
    }
    if (predicate instanceof Like like) {
      return like.column() + " LIKE " + literal(like.pattern());
    }
    if (predicate instanceof And and) {
      return terms(and.terms(), " AND ");
    }
    if (predicate instanceof Or or) {
      return terms(or.terms(), " OR ");
    }
    if (predicate instanceof Not not) {
      return "NOT (" + of(not.term()) + ")";
    }
    return String.valueOf(((Constant) predicate).value()).toUpperCase(java.util.Locale.ROOT);
  }

  private static String terms(List<Predicate> terms, String separator) {
    return terms.stream()
        .map(t -> t instanceof And || t instanceof Or ? "(" + of(t) + ")" : of(t))
        .collect(Collectors.joining(separator));
  }

  private static String literal(Object value) {
    if (value == null) {
      return "NULL";
    }
    if (value instanceof CharSequence || value instanceof Character) {
      return "'" + value.toString().replace("'", "''") + "'";
    }
    return value.toString();
  }

  private static java.util.stream.Collector<CharSequence, ?, String> joining() {
    return Collectors.joining(", ");
  }
}
