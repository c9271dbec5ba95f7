package dev.quiver.server.expression;

import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * Comparisons of two columns of comparable types: integers, floating point and decimals with each
 * other, strings by code point (the order of their UTF-8 bytes), dates, times and timestamps (a
 * date compares as its midnight). NaN is greater than every number and equal to itself, as in
 * DuckDB.
 */
final class Comparison {
  private Comparison() {}

  /** How a pair of columns is compared. */
  private enum Mode {
    LONG,
    DOUBLE,
    DECIMAL,
    TEXT
  }

  static Column compare(Function function, Column left, Column right) {
    boolean nullAware =
        function == Function.IS_DISTINCT_FROM || function == Function.IS_NOT_DISTINCT_FROM;
    Column[] operands = aligned(left, right);
    Column a = operands[0];
    Column b = operands[1];
    Mode mode = mode(a.type, b.type);
    Column out = Column.allocate(Expression.BOOLEAN, left.size);
    for (int i = 0; i < out.size; i++) {
      boolean aNull = a.isNull(i);
      boolean bNull = b.isNull(i);
      if (aNull || bNull) {
        if (!nullAware) {
          out.setNull(i);
        } else {
          boolean same = aNull && bNull;
          out.longs[i] = (function == Function.IS_NOT_DISTINCT_FROM) == same ? 1 : 0;
        }
        continue;
      }
      int c =
          switch (mode) {
            case LONG -> Long.compare(a.longs[i], b.longs[i]);
            case DOUBLE -> compareDoubles(a.doubles[i], b.doubles[i]);
            case DECIMAL ->
                Casts.toBigDecimal(a.get(i), a.type)
                    .compareTo(Casts.toBigDecimal(b.get(i), b.type));
            case TEXT -> compareText((String) a.objects[i], (String) b.objects[i]);
          };
      out.longs[i] = holds(function, c) ? 1 : 0;
    }
    return out;
  }

  static boolean holds(Function function, int c) {
    return switch (function) {
      case EQUALS, IS_NOT_DISTINCT_FROM -> c == 0;
      case NOT_EQUALS, IS_DISTINCT_FROM -> c != 0;
      case LESS_THAN -> c < 0;
      case LESS_THAN_OR_EQUAL -> c <= 0;
      case GREATER_THAN -> c > 0;
      case GREATER_THAN_OR_EQUAL -> c >= 0;
      default -> throw new IllegalArgumentException(function + " is not a comparison");
    };
  }

  /** The two columns, cast where needed so that they can be compared by {@link #mode}. */
  private static Column[] aligned(Column a, Column b) {
    if (isTemporal(a.type) || isTemporal(b.type)) {
      ArrowType target = a.type instanceof ArrowType.Timestamp ? a.type : b.type;
      if (!isTemporal(target)) {
        target = isTemporal(a.type) ? a.type : b.type;
      }
      return new Column[] {castIfOther(a, target), castIfOther(b, target)};
    }
    if (a.type instanceof ArrowType.Utf8 != b.type instanceof ArrowType.Utf8) {
      // A string against a number: read the string as the number's type.
      return a.type instanceof ArrowType.Utf8
          ? new Column[] {Casts.cast(a, b.type), b}
          : new Column[] {a, Casts.cast(b, a.type)};
    }
    if (a.type instanceof ArrowType.Bool || b.type instanceof ArrowType.Bool) {
      return new Column[] {castIfOther(a, Expression.BOOLEAN), castIfOther(b, Expression.BOOLEAN)};
    }
    return new Column[] {a, b};
  }

  private static Column castIfOther(Column column, ArrowType target) {
    boolean same =
        column.type.getTypeID() == target.getTypeID()
            && !(target instanceof ArrowType.Date && !(column.type instanceof ArrowType.Date));
    return same ? column : Casts.cast(column, target);
  }

  private static boolean isTemporal(ArrowType type) {
    return type instanceof ArrowType.Date
        || type instanceof ArrowType.Timestamp
        || type instanceof ArrowType.Time;
  }

  private static Mode mode(ArrowType a, ArrowType b) {
    Column.Representation x = Column.Representation.of(a);
    Column.Representation y = Column.Representation.of(b);
    if (a instanceof ArrowType.Utf8 && b instanceof ArrowType.Utf8) {
      return Mode.TEXT;
    }
    if (x == Column.Representation.LONG && y == Column.Representation.LONG) {
      return Mode.LONG;
    }
    if (a instanceof ArrowType.Decimal || b instanceof ArrowType.Decimal) {
      return Mode.DECIMAL;
    }
    return Mode.DOUBLE;
  }

  /** Like {@link Double#compare} but with {@code -0.0 == 0.0}. */
  static int compareDoubles(double x, double y) {
    if (x == y) {
      return 0;
    }
    return Double.compare(x, y);
  }

  /** Orders strings by code point, which is the order of their UTF-8 bytes. */
  static int compareText(String x, String y) {
    int n = Math.min(x.length(), y.length());
    for (int i = 0; i < n; i++) {
      char c = x.charAt(i);
      char d = y.charAt(i);
      if (c != d) {
        if (Character.isSurrogate(c) || Character.isSurrogate(d)) {
          return Integer.compare(x.codePointAt(i), y.codePointAt(i));
        }
        return Character.compare(c, d);
      }
    }
    return Integer.compare(x.length(), y.length());
  }
}
