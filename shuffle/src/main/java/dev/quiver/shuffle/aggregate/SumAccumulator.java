package dev.quiver.shuffle.aggregate;

/** A SUM's state, also the numerator of AVG. */
interface SumAccumulator extends Accumulator {
  /** The sum of group {@code g} as a double, while the state is still here; NaN when NULL. */
  double sumAsDouble(int g);
}
