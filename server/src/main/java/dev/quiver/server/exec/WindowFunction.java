package dev.quiver.server.exec;

/** The functions a window computes for each row from the rows of its partition. */
public enum WindowFunction {
  ROW_NUMBER,
  RANK,
  DENSE_RANK,
  PERCENT_RANK,
  CUME_DIST,
  /** The bucket of the row when the partition is dealt into {@code offset} buckets. */
  NTILE,
  /** The argument {@code offset} rows before, or the default (second argument) or NULL. */
  LAG,
  /** The argument {@code offset} rows after, or the default (second argument) or NULL. */
  LEAD,
  FIRST_VALUE,
  LAST_VALUE,
  /** The argument at the {@code offset}-th row of the frame. */
  NTH_VALUE,
  /** COUNT of the non-null argument, or of rows when there is no argument. */
  COUNT,
  /** SUM: NULL over no non-null value. */
  SUM,
  /** SUM that is 0 over no non-null value ({@code $SUM0}, what Calcite rewrites SUM into). */
  SUM0,
  AVG,
  MIN,
  MAX;

  /** Whether the function reads its frame (aggregates and FIRST/LAST/NTH_VALUE), not its rank. */
  public boolean readsFrame() {
    return ordinal() >= FIRST_VALUE.ordinal();
  }

  /** Whether its result is one of the rows' argument values, copied as it is. */
  public boolean copiesArgument() {
    return switch (this) {
      case LAG, LEAD, FIRST_VALUE, LAST_VALUE, NTH_VALUE, MIN, MAX -> true;
      default -> false;
    };
  }
}
