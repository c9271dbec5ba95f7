package dev.quiver.server.physical;

import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * One operator of a physical plan and, through its children, the plan below it. Every operator
 * knows its output schema and how its output is spread over the tasks that run it; exchanges are
 * operators like the others ({@link Exchange}), so where data moves between nodes is part of the
 * tree. Plans are immutable values: they print ({@link PlanPrinter}), travel ({@code PlanCodec})
 * and are cut into stages ({@link StagePlanner}) as they are.
 */
public sealed interface PhysicalPlan
    permits Scan, UnaryPlan, HashJoin, Union, Values, RemoteSource {
  /** The operators whose output this one reads, in order: none for a leaf, two for a join. */
  List<PhysicalPlan> children();

  /** The columns of its output. */
  Schema schema();

  /** How its output rows are spread over the tasks that run it. */
  Distribution distribution();

  /** This operator with {@code children} in place of its own, in order. */
  PhysicalPlan withChildren(List<PhysicalPlan> children);
}
