package dev.quiver.parquet.predicate;

import static java.util.Objects.requireNonNull;

/** {@code column IS NULL}; never NULL itself. */
public record IsNull(String column) implements Predicate, Leaf {
  public IsNull {
    requireNonNull(column, "column is null");
  }

  @Override
  public String toString() {
    return column + " IS NULL";
  }
}
