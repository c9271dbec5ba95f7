package dev.quiver.server.physical;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.sql.Projection;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/** Computes {@code projections} over each batch of its input: its output's columns, in order. */
public record Project(PhysicalPlan input, List<Projection> projections) implements UnaryPlan {
  public Project {
    requireNonNull(input, "input is null");
    projections = List.copyOf(projections);
  }

  @Override
  public Schema schema() {
    return new Schema(projections.stream().map(Projection::field).toList());
  }

  @Override
  public PhysicalPlan withChildren(List<PhysicalPlan> children) {
    Operators.requireCount(this, children, 1);
    return new Project(children.get(0), projections);
  }
}
