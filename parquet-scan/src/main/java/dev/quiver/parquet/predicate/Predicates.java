package dev.quiver.parquet.predicate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Rewrites predicates into the form pushdown and evaluation work on.
 *
 * <p>A <em>normalized</em> predicate has its NOTs pushed down to the leaves (by De Morgan's laws
 * and negated comparison operators, both exact under three-valued logic), so that only {@code IS
 * NULL}, {@code IN} and {@code LIKE} appear under a {@link Not}. Above the leaves only AND and OR
 * remain, and a row passes exactly when the leaves' TRUE results make the whole TRUE: a NULL can
 * then be treated as FALSE, and constants fold away except a whole-predicate {@link Constant#TRUE}
 * or {@link Constant#FALSE}.
 */
public final class Predicates {
  private Predicates() {}

  /** The normalized form of a predicate. */
  public static Predicate normalize(Predicate predicate) {
    return fold(pushNot(predicate, false));
  }

  /**
   * Replaces the columns whose value is the same on every row of a file (partition columns, or
   * columns the file lacks, which read as null) by that value, and folds the result.
   *
   * @param normalized a normalized predicate
   * @param constants each bound column's canonical value; null for a column that is null
   */
  public static Predicate bind(Predicate normalized, Map<String, Object> constants) {
    if (constants.isEmpty()) {
      return normalized;
    }
    return fold(substitute(normalized, constants));
  }

  /** {@code terms} joined by AND, simplified. */
  public static Predicate and(List<Predicate> terms) {
    return fold(new And(terms));
  }

  private static Predicate pushNot(Predicate predicate, boolean negate) {
    if (predicate instanceof Not not) {
      return pushNot(not.term(), !negate);
    }
    if (predicate instanceof And and) {
      List<Predicate> terms = and.terms().stream().map(t -> pushNot(t, negate)).toList();
      return negate ? new Or(terms) : new And(terms);
    }
    if (predicate instanceof Or or) {
      List<Predicate> terms = or.terms().stream().map(t -> pushNot(t, negate)).toList();
      return negate ? new And(terms) : new Or(terms);
    }
    if (!negate) {
      return predicate;
    }
    if (predicate instanceof Comparison c) {
      return new Comparison(c.column(), c.operator().negate(), c.value());
    }
    if (predicate instanceof Constant constant) {
      return constant.value() == null ? Constant.NULL : Constant.of(!constant.value());
    }
    return new Not(predicate);
  }

  /** Folds constants; valid on normalized predicates, where NULL behaves as FALSE. */
  private static Predicate fold(Predicate predicate) {
    if (predicate instanceof Constant constant) {
      return Boolean.TRUE.equals(constant.value()) ? Constant.TRUE : Constant.FALSE;
    }
    boolean isAnd = predicate instanceof And;
    if (!isAnd && !(predicate instanceof Or)) {
      return predicate;
    }
    List<Predicate> input = isAnd ? ((And) predicate).terms() : ((Or) predicate).terms();
    List<Predicate> terms = new ArrayList<>();
    for (Predicate term : input) {
      Predicate folded = fold(term);
      if (folded instanceof Constant constant) {
        if (constant.value() == !isAnd) {
          return constant;
        }
        continue;
      }
      if (isAnd && folded instanceof And nested) {
        terms.addAll(nested.terms());
      } else if (!isAnd && folded instanceof Or nested) {
        terms.addAll(nested.terms());
      } else {
        terms.add(folded);
      }
    }
    if (terms.isEmpty()) {
      return Constant.of(isAnd);
    }
    if (terms.size() == 1) {
      return terms.get(0);
    }
    return isAnd ? new And(terms) : new Or(terms);
  }

  private static Predicate substitute(Predicate predicate, Map<String, Object> constants) {
    if (predicate instanceof And and) {
      return new And(and.terms().stream().map(t -> substitute(t, constants)).toList());
    }
    if (predicate instanceof Or or) {
      return new Or(or.terms().stream().map(t -> substitute(t, constants)).toList());
    }
    if (predicate instanceof Not not) {
      Predicate inner = substitute(not.term(), constants);
      if (inner instanceof Constant constant) {
        return constant.value() == null ? Constant.NULL : Constant.of(!constant.value());
      }
      return inner == not.term() ? not : new Not(inner);
    }
    if (predicate instanceof Leaf leaf && constants.containsKey(leaf.column())) {
      return Constant.of(evaluate(predicate, constants.get(leaf.column())));
    }
    return predicate;
  }

  /**
   * A leaf's value on one row.
   *
   * @return TRUE, FALSE, or null for NULL
   */
  public static Boolean evaluate(Predicate leaf, Object value) {
    if (leaf instanceof IsNull) {
      return value == null;
    }
    if (value == null) {
      return null;
    }
    if (leaf instanceof Comparison c) {
      return c.operator().test(ColumnValues.compare(value, c.value()));
    }
    if (leaf instanceof InList in) {
      return in.values().stream().anyMatch(v -> ColumnValues.compare(value, v) == 0);
    }
    if (leaf instanceof Like like) {
      Pattern regex = like.toRegex();
      return regex.matcher(value.toString()).matches();
    }
    throw new IllegalArgumentException("Not a leaf predicate: " + leaf);
  }
}
