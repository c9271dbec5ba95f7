package dev.quiver.parquet.predicate;

import java.util.List;
import java.util.stream.Collectors;

/** TRUE when every term is TRUE. */
public record And(List<Predicate> terms) implements Predicate {
  public And {
    terms = List.copyOf(terms);
  }

  @Override
  public String toString() {
    return terms.stream().map(t -> "(" + t + ")").collect(Collectors.joining(" AND "));
  }
}
