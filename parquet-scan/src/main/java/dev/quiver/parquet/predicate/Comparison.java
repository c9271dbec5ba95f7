package dev.quiver.parquet.predicate;

import static java.util.Objects.requireNonNull;

/**
 * {@code column <op> value}; NULL when the column is null.
 *
 * @param value canonical for the column's type, never null ({@code = NULL} is {@link
 *     Constant#NULL})
 */
public record Comparison(String column, ComparisonOperator operator, Object value)
    implements Predicate, Leaf {
  public Comparison {
    requireNonNull(column, "column is null");
    requireNonNull(operator, "operator is null");
    requireNonNull(value, "value is null");
  }

  @Override
  public String toString() {
    return column + " " + operator.symbol() + " " + ColumnValues.format(value);
  }
}
