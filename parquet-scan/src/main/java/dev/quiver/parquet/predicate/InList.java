package dev.quiver.parquet.predicate;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code column IN (values)}; NULL when the column is null.
 *
 * @param values canonical for the column's type, none null, at least one
 */
public record InList(String column, List<Object> values) implements Predicate, Leaf {
  public InList {
    requireNonNull(column, "column is null");
    values = List.copyOf(values);
    if (values.isEmpty()) {
      throw new IllegalArgumentException("IN list of column " + column + " is empty");
    }
  }

  @Override
  public String toString() {
    return column
        + " IN ("
        + values.stream().map(ColumnValues::format).collect(Collectors.joining(", "))
        + ")";
  }
}
