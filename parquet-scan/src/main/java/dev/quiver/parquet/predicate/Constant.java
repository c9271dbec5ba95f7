package dev.quiver.parquet.predicate;

/**
 * A predicate whose value does not depend on the row.
 *
 * @param value TRUE, FALSE, or null for SQL's NULL
 */
public record Constant(Boolean value) implements Predicate {
  public static final Constant TRUE = new Constant(Boolean.TRUE);
  public static final Constant FALSE = new Constant(Boolean.FALSE);
  public static final Constant NULL = new Constant(null);

  public static Constant of(Boolean value) {
    return value == null ? NULL : value ? TRUE : FALSE;
  }

  @Override
  public String toString() {
    return value == null ? "NULL" : value.toString().toUpperCase(java.util.Locale.ROOT);
  }
}
