package dev.quiver.server.exec;

import static java.util.Objects.requireNonNull;

/**
 * The rows of its partition a window aggregate reads for each row: {@code ROWS} counts rows from
 * the current one, {@code RANGE} measures by the (single, numeric) ORDER BY value, and its {@code
 * CURRENT ROW} includes the row's peers (rows with equal ORDER BY values). Without ORDER BY every
 * row of a partition is a peer of every other.
 *
 * @param rows true for {@code ROWS}, false for {@code RANGE}
 */
public record WindowFrame(boolean rows, FrameBound lower, FrameBound upper) {
  public WindowFrame {
    requireNonNull(lower, "lower is null");
    requireNonNull(upper, "upper is null");
    if (lower.kind() == FrameBound.Kind.UNBOUNDED_FOLLOWING) {
      throw new IllegalArgumentException("A frame cannot start at UNBOUNDED FOLLOWING");
    }
    if (upper.kind() == FrameBound.Kind.UNBOUNDED_PRECEDING) {
      throw new IllegalArgumentException("A frame cannot end at UNBOUNDED PRECEDING");
    }
  }

  /** The frame SQL gives a window with ORDER BY: the partition's rows up to the row's last peer. */
  public static final WindowFrame DEFAULT =
      new WindowFrame(false, FrameBound.UNBOUNDED_PRECEDING, FrameBound.CURRENT_ROW);

  /** The frame as SQL writes it: {@code rows between 2 preceding and current row}. */
  @Override
  public String toString() {
    return (rows ? "rows" : "range") + " between " + lower + " and " + upper;
  }
}
