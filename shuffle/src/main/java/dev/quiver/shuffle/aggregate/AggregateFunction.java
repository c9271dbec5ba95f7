package dev.quiver.shuffle.aggregate;

/** The aggregate functions the kernel computes. */
public enum AggregateFunction {
  /** Sum of the non-null values; NULL when there are none. */
  SUM,
  /** Number of rows. */
  COUNT_STAR,
  /** Number of non-null values. */
  COUNT,
  /** Smallest non-null value. */
  MIN,
  /** Largest non-null value. */
  MAX,
  /** Mean of the non-null values as DOUBLE; NULL when there are none. */
  AVG;

  /** The SQL name, e.g. {@code COUNT} for both counts. */
  public String sqlName() {
    return this == COUNT_STAR ? "COUNT" : name();
  }
}
