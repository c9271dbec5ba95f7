package dev.quiver.server.physical;

import java.util.List;

/** Checks shared by the operators. */
final class Operators {
  private Operators() {}

  static void requireCount(PhysicalPlan operator, List<PhysicalPlan> children, int count) {
    if (children.size() != count) {
      throw new IllegalArgumentException(
          operator.getClass().getSimpleName()
              + " takes "
              + count
              + " children, got "
              + children.size());
    }
  }
}
