package dev.quiver.server.physical;

import static java.util.Objects.requireNonNull;

import dev.quiver.shuffle.aggregate.AggregateLayout;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Groups its input by the layout's keys and computes the layout's aggregates, in one of four modes.
 * The partial schema ({@link AggregateLayout#partialSchema()}) is what partial and intermediate
 * aggregates hand on: keys first, then each aggregate's state.
 */
public record Aggregate(PhysicalPlan input, AggregateLayout layout, Mode mode)
    implements UnaryPlan {
  /** What an aggregate reads and what it hands on. */
  public enum Mode {
    /** Rows in, partial states out: what each task aggregates of its own input. */
    PARTIAL,
    /** Partial states in, merged partial states out: a node merging its scan threads' states. */
    INTERMEDIATE,
    /** Partial states in, results out: every group's states brought together. */
    FINAL,
    /** Rows in, results out, in one place. */
    SINGLE;

    /** Whether it reads partial states rather than rows. */
    public boolean readsStates() {
      return this == INTERMEDIATE || this == FINAL;
    }

    /** Whether it hands on partial states rather than results. */
    public boolean writesStates() {
      return this == PARTIAL || this == INTERMEDIATE;
    }
  }

  public Aggregate {
    requireNonNull(input, "input is null");
    requireNonNull(layout, "layout is null");
    requireNonNull(mode, "mode is null");
  }

  @Override
  public Schema schema() {
    return mode.writesStates() ? layout.partialSchema() : layout.resultSchema();
  }

  @Override
  public PhysicalPlan withChildren(List<PhysicalPlan> children) {
    Operators.requireCount(this, children, 1);
    return new Aggregate(children.get(0), layout, mode);
  }
}
