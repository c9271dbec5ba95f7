package dev.quiver.server.physical;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The position of every operator of a plan in pre-order (an operator, then each input's subtree in
 * turn), by identity: how a task's operator counters name the operators, the same on the node that
 * runs the plan and on the coordinator that printed it.
 */
public final class OperatorPositions {
  private OperatorPositions() {}

  /** Every operator of {@code plan} and its position. */
  public static Map<PhysicalPlan, Integer> of(PhysicalPlan plan) {
    Map<PhysicalPlan, Integer> positions = new IdentityHashMap<>();
    number(plan, positions);
    return positions;
  }

  private static void number(PhysicalPlan plan, Map<PhysicalPlan, Integer> positions) {
    positions.put(plan, positions.size());
    for (PhysicalPlan child : plan.children()) {
      number(child, positions);
    }
  }
}
