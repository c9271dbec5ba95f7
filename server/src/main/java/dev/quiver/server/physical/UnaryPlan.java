package dev.quiver.server.physical;

import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An operator with one input: unless it says otherwise, its output has the input's columns and is
 * spread as the input is.
 */
public sealed interface UnaryPlan extends PhysicalPlan
    permits Filter, Project, Aggregate, Sort, Limit, Exchange, Window {
  /** The operator whose output this one reads. */
  PhysicalPlan input();

  @Override
  default List<PhysicalPlan> children() {
    return List.of(input());
  }

  @Override
  default Schema schema() {
    return input().schema();
  }

  @Override
  default Distribution distribution() {
    return input().distribution();
  }
}
