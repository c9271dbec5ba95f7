package dev.quiver.server.exec;

import static java.util.Objects.requireNonNull;

/**
 * One end of a window frame: {@code UNBOUNDED PRECEDING}, {@code n PRECEDING}, {@code CURRENT ROW},
 * {@code n FOLLOWING} or {@code UNBOUNDED FOLLOWING}.
 *
 * @param offset the {@code n} of {@code n PRECEDING} and {@code n FOLLOWING}; 0 otherwise
 */
public record FrameBound(Kind kind, long offset) {
  /** Where the bound lies relative to the current row. */
  public enum Kind {
    UNBOUNDED_PRECEDING,
    PRECEDING,
    CURRENT_ROW,
    FOLLOWING,
    UNBOUNDED_FOLLOWING
  }

  public FrameBound {
    requireNonNull(kind, "kind is null");
    if (offset < 0) {
      throw new IllegalArgumentException("A frame offset must not be negative: " + offset);
    }
    if (offset != 0 && kind != Kind.PRECEDING && kind != Kind.FOLLOWING) {
      throw new IllegalArgumentException("Only PRECEDING and FOLLOWING take an offset: " + kind);
    }
  }

  public static final FrameBound UNBOUNDED_PRECEDING = new FrameBound(Kind.UNBOUNDED_PRECEDING, 0);
  public static final FrameBound CURRENT_ROW = new FrameBound(Kind.CURRENT_ROW, 0);
  public static final FrameBound UNBOUNDED_FOLLOWING = new FrameBound(Kind.UNBOUNDED_FOLLOWING, 0);

  /** The bound as SQL writes it, in lower case: {@code 2 preceding}, {@code current row}. */
  @Override
  public String toString() {
    return switch (kind) {
      case UNBOUNDED_PRECEDING -> "unbounded preceding";
      case PRECEDING -> offset + " preceding";
      case CURRENT_ROW -> "current row";
      case FOLLOWING -> offset + " following";
      case UNBOUNDED_FOLLOWING -> "unbounded following";
    };
  }
}
