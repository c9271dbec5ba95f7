package dev.quiver.parquet.predicate;

import static java.util.Objects.requireNonNull;

/** TRUE when the term is FALSE; NULL when it is NULL. */
public record Not(Predicate term) implements Predicate {
  public Not {
    requireNonNull(term, "term is null");
  }

  @Override
  public String toString() {
    return "NOT (" + term + ")";
  }
}
