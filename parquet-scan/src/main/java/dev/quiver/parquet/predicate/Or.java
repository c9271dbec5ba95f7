package dev.quiver.parquet.predicate;

import java.util.List;
import java.util.stream.Collectors;

/** TRUE when any term is TRUE. */
public record Or(List<Predicate> terms) implements Predicate {
  public Or {
    terms = List.copyOf(terms);
  }

  @Override
  public String toString() {
    return terms.stream().map(t -> "(" + t + ")").collect(Collectors.joining(" OR "));
  }
}
