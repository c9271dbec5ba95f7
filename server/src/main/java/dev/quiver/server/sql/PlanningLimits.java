package dev.quiver.server.sql;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * What a node plans at most: each bound is checked before the work it bounds, alike for every call
 * that plans SQL (GetFlightInfo, GetSchema, PollFlightInfo, Flight SQL statements and prepared
 * statements, tickets planned again).
 *
 * @param maxSqlBytes the longest SQL text (UTF-8 bytes), {@code quiver.max-sql-bytes}
 * @param planningTimeout the longest a caller waits for a plan, {@code quiver.planning-timeout}
 * @param maxExpressionDepth the most calls nested in one another ({@link ExpressionSize#depth()}),
 *     and the deepest nesting of parentheses, {@code quiver.max-expression-depth}
 * @param maxExpressionNodes the most calls, names and literals ({@link ExpressionSize#nodes()}),
 *     {@code quiver.max-expression-nodes}
 */
public record PlanningLimits(
    long maxSqlBytes, Duration planningTimeout, int maxExpressionDepth, int maxExpressionNodes) {
  /** The defaults of {@code QuiverConfig}. */
  public static final PlanningLimits DEFAULT =
      new PlanningLimits(4L << 20, Duration.ofSeconds(30), 200, 20_000);

  public PlanningLimits {
    requireNonNull(planningTimeout, "planningTimeout is null");
    if (maxSqlBytes < 1) {
      throw new IllegalArgumentException("quiver.max-sql-bytes must be positive: " + maxSqlBytes);
    }
    if (maxExpressionDepth < 1) {
      throw new IllegalArgumentException(
          "quiver.max-expression-depth must be positive: " + maxExpressionDepth);
    }
    if (maxExpressionNodes < 1) {
      throw new IllegalArgumentException(
          "quiver.max-expression-nodes must be positive: " + maxExpressionNodes);
    }
  }
}
