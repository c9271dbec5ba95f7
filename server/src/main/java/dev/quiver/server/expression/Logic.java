package dev.quiver.server.expression;

import java.util.List;

/** AND, OR and NOT in three-valued logic, and the IS tests, which never return NULL. */
final class Logic {
  private static final long UNKNOWN = -1;

  private Logic() {}

  /** AND (or OR) of any number of BOOLEAN columns. */
  static Column junction(Function function, List<Column> operands) {
    int size = operands.get(0).size;
    boolean and = function == Function.AND;
    // Per row: the deciding value (FALSE for AND, TRUE for OR) wins; else UNKNOWN if any NULL.
    long[] state = new long[size];
    java.util.Arrays.fill(state, and ? 1 : 0);
    for (Column operand : operands) {
      for (int i = 0; i < size; i++) {
        long decided = and ? 0 : 1;
        if (state[i] == decided) {
          continue;
        }
        if (operand.isNull(i)) {
          state[i] = UNKNOWN;
        } else if ((operand.longs[i] != 0) == !and) {
          state[i] = decided;
        }
      }
    }
    Column out = Column.allocate(Expression.BOOLEAN, size);
    for (int i = 0; i < size; i++) {
      if (state[i] == UNKNOWN) {
        out.setNull(i);
      } else {
        out.longs[i] = state[i];
      }
    }
    return out;
  }

  static Column not(Column input) {
    Column out = Column.allocate(Expression.BOOLEAN, input.size);
    out.nullsFrom(input);
    for (int i = 0; i < input.size; i++) {
      out.longs[i] = input.longs[i] != 0 ? 0 : 1;
    }
    return out;
  }

  /** IS [NOT] NULL, IS [NOT] TRUE, IS [NOT] FALSE. */
  static Column test(Function function, Column input) {
    Column out = Column.allocate(Expression.BOOLEAN, input.size);
    for (int i = 0; i < input.size; i++) {
      boolean isNull = input.isNull(i);
      boolean result =
          switch (function) {
            case IS_NULL -> isNull;
            case IS_NOT_NULL -> !isNull;
            case IS_TRUE -> !isNull && input.longs[i] != 0;
            case IS_NOT_TRUE -> isNull || input.longs[i] == 0;
            case IS_FALSE -> !isNull && input.longs[i] == 0;
            case IS_NOT_FALSE -> isNull || input.longs[i] != 0;
            default -> throw new IllegalArgumentException(function + " is not a test");
          };
      out.longs[i] = result ? 1 : 0;
    }
    return out;
  }

  /** {@code value IN (set)}: NULL when the value is NULL, or not found and the list had a NULL. */
  static Column in(Column value, java.util.Set<Object> values, boolean hasNull) {
    Column out = Column.allocate(Expression.BOOLEAN, value.size);
    for (int i = 0; i < value.size; i++) {
      if (value.isNull(i)) {
        out.setNull(i);
        continue;
      }
      Object v = value.get(i);
      if (v instanceof Double d && d == 0.0) {
        v = 0.0; // -0.0 equals 0.0
      }
      if (v instanceof java.math.BigDecimal d) {
        v = d.stripTrailingZeros();
      }
      if (values.contains(v)) {
        out.longs[i] = 1;
      } else if (hasNull) {
        out.setNull(i);
      }
    }
    return out;
  }
}
