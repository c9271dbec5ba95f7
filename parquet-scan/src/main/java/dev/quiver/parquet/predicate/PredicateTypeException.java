package dev.quiver.parquet.predicate;

/** A predicate compares a column with a value of a type it cannot be compared with. */
public final class PredicateTypeException extends IllegalArgumentException {
  public PredicateTypeException(String message) {
    super(message);
  }
}
