package dev.quiver.parquet.predicate;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A row filter over a dataset's columns, with SQL's three-valued semantics: a row passes when the
 * predicate is TRUE, not when it is FALSE or NULL.
 *
 * <p>Leaf values are canonical for the column's Arrow type (see {@link ColumnValues}); build
 * comparisons through {@link Comparisons} so literals of other types are coerced exactly.
 */
public sealed interface Predicate permits Comparison, InList, IsNull, Like, And, Or, Not, Constant {

  /** The columns the predicate reads. */
  default Set<String> columns() {
    Set<String> columns = new LinkedHashSet<>();
    collectColumns(this, columns);
    return columns;
  }

  private static void collectColumns(Predicate predicate, Set<String> into) {
    if (predicate instanceof Leaf leaf) {
      into.add(leaf.column());
    } else if (predicate instanceof And and) {
      and.terms().forEach(t -> collectColumns(t, into));
    } else if (predicate instanceof Or or) {
      or.terms().forEach(t -> collectColumns(t, into));
    } else if (predicate instanceof Not not) {
      collectColumns(not.term(), into);
    }
  }
}
