package dev.quiver.server.expression;

/** The scalar functions {@link Evaluator} computes. */
public enum Function {
  PLUS,
  MINUS,
  TIMES,
  /** Always DOUBLE, NULL when dividing by zero (as DuckDB). */
  DIVIDE,
  /** NULL when dividing by zero. */
  MOD,
  NEGATE,
  EQUALS,
  NOT_EQUALS,
  LESS_THAN,
  LESS_THAN_OR_EQUAL,
  GREATER_THAN,
  GREATER_THAN_OR_EQUAL,
  IS_DISTINCT_FROM,
  IS_NOT_DISTINCT_FROM,
  AND,
  OR,
  NOT,
  IS_NULL,
  IS_NOT_NULL,
  IS_TRUE,
  IS_NOT_TRUE,
  IS_FALSE,
  IS_NOT_FALSE,
  /** {@code CASE WHEN c1 THEN v1 ... ELSE e END}: operands c1, v1, c2, v2, ..., e. */
  CASE,
  COALESCE,
  CAST,
  /** {@code value LIKE pattern [ESCAPE e]}: the pattern and escape are literals. */
  LIKE,
  /** {@code EXTRACT(unit FROM value)}: the unit is a VARCHAR literal (YEAR, MONTH, DOW...). */
  EXTRACT,
  /** {@code date_trunc(unit, value)}: the unit is a VARCHAR literal. */
  DATE_TRUNC,
  LOWER,
  UPPER,
  /** {@code SUBSTRING(s FROM start [FOR length])}, 1-based, in characters. */
  SUBSTRING,
  /** Length in characters. */
  CHAR_LENGTH,
  /** Length in bytes of the UTF-8 text (DuckDB's {@code strlen}). */
  OCTET_LENGTH,
  /**
   * {@code regexp_replace(s, pattern, replacement [, options])}, DuckDB's: the first match replaced
   * ({@code 'g'}: every match; {@code 'i'}: ignoring case); {@code \1} in the replacement is the
   * first group. Pattern, replacement and options are VARCHAR literals.
   */
  REGEXP_REPLACE,
  CONCAT,
  TRIM,
  ABS
}
