package dev.quiver.server.query;

import dev.quiver.server.exec.LimitOperator;
import dev.quiver.server.exec.Operator;
import dev.quiver.server.exec.SortKey;
import dev.quiver.server.exec.SourceOperator;
import dev.quiver.server.exec.SpillingSorter;
import dev.quiver.server.physical.Aggregate;
import dev.quiver.server.physical.Exchange;
import dev.quiver.server.physical.PhysicalPlan;
import dev.quiver.server.physical.RemoteSource;
import dev.quiver.server.physical.Sort;
import dev.quiver.shuffle.partition.HashPartitioner;
import dev.quiver.shuffle.spill.BatchSource;
import dev.quiver.shuffle.spill.BatchStore;
import dev.quiver.shuffle.spill.SpillingAggregator;
import java.util.List;
import java.util.OptionalLong;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * What an opened task holds of the rows exchanges send it, until its plan runs. The operator that
 * reads the task's {@link RemoteSource} decides how they are held: partial aggregate states are
 * merged as they arrive (an {@link Aggregate} that reads states), rows to sort go into a spilling
 * sorter (a {@link Sort}), anything else is stored as it came. Each spills beyond the fragment's
 * budget. The inbox then stands for that operator (or for the remote source) in the task's
 * pipeline: {@link #absorbs} tells which plan node, {@link #output} gives its rows.
 */
abstract sealed class Inbox implements AutoCloseable {
  /** The inbox for the remote source at the bottom of {@code plan}'s task, as its reader needs. */
  static Inbox of(PhysicalPlan plan, Fragment fragment) {
    PhysicalPlan reader = readerOfRemoteSource(plan);
    if (reader instanceof Aggregate aggregate && aggregate.mode().readsStates()) {
      return new Merging(aggregate, fragment);
    }
    if (reader instanceof Sort sort) {
      return new Sorting(sort, fragment);
    }
    RemoteSource source = remoteSource(plan);
    return new Storing(source, fragment);
  }

  /**
   * The operator directly above the task's one remote source (and the exchange the stage planner
   * left above it, which only says how the rows arrived), or the source itself at the top.
   */
  private static PhysicalPlan readerOfRemoteSource(PhysicalPlan plan) {
    if (isSource(plan)) {
      return plan;
    }
    for (PhysicalPlan child : plan.children()) {
      if (isSource(child)) {
        return plan;
      }
      PhysicalPlan found = readerOfRemoteSource(child);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  private static boolean isSource(PhysicalPlan plan) {
    return plan instanceof RemoteSource
        || plan instanceof Exchange exchange && exchange.input() instanceof RemoteSource;
  }

  private static RemoteSource remoteSource(PhysicalPlan plan) {
    List<RemoteSource> sources = RemoteSource.all(plan);
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("The task reads no other stage: " + plan);
    }
    return sources.get(0);
  }

  /** The plan node whose rows {@link #output} gives. */
  abstract PhysicalPlan absorbs();

  /** Takes a batch an exchange sent; it is only read, or emptied. */
  abstract void add(VectorSchemaRoot batch);

  /**
   * The rows of {@link #absorbs()}, once everything arrived; the caller owns the operator and
   * closes it before the inbox.
   */
  abstract Operator output();

  @Override
  public abstract void close();

  /** Partial aggregate states, merged as they arrive. */
  static final class Merging extends Inbox {
    private final Aggregate aggregate;
    private final SpillingAggregator states;

    Merging(Aggregate aggregate, Fragment fragment) {
      this.aggregate = aggregate;
      this.states =
          new SpillingAggregator(
              aggregate.layout(),
              SpillingAggregator.Input.PARTIALS,
              fragment.allocator(),
              fragment.spill().budgetBytes(),
              fragment.spill().space(),
              fragment.queryId(),
              fragment.spill().heap());
    }

    @Override
    PhysicalPlan absorbs() {
      return aggregate;
    }

    @Override
    synchronized void add(VectorSchemaRoot batch) {
      states.add(batch);
    }

    @Override
    synchronized Operator output() {
      return new SourceOperator(
          aggregate.schema(),
          states.finish(
              aggregate.mode().writesStates()
                  ? SpillingAggregator.Output.PARTIALS
                  : SpillingAggregator.Output.RESULTS));
    }

    @Override
    public synchronized void close() {
      states.close();
    }
  }

  /** Rows to sort, sorted in runs that spill beyond the budget. */
  static final class Sorting extends Inbox {
    private final Sort sort;
    private final SpillingSorter rows;

    Sorting(Sort sort, Fragment fragment) {
      this.sort = sort;
      List<SortKey> keys = sort.keys();
      this.rows =
          new SpillingSorter(
              keys,
              sort.schema(),
              fragment.allocator(),
              fragment.spill(),
              fragment.queryId(),
              fragment.batchRows());
    }

    @Override
    PhysicalPlan absorbs() {
      return sort;
    }

    @Override
    synchronized void add(VectorSchemaRoot batch) {
      rows.addMovedFrom(batch);
    }

    @Override
    synchronized Operator output() {
      Schema schema = sort.schema();
      int[] columns = new int[schema.getFields().size()];
      for (int c = 0; c < columns.length; c++) {
        columns[c] = c;
      }
      Operator sorted = rows.sorted(schema, columns);
      OptionalLong limit = sort.limit();
      return limit.isEmpty()
          ? sorted
          : Operator.then(sorted, in -> new LimitOperator(in, limit.getAsLong()));
    }

    @Override
    public synchronized void close() {
      rows.close();
    }
  }

  /** Rows stored as they came, for a reader that needs them all. */
  static final class Storing extends Inbox {
    private final RemoteSource source;
    private final BatchStore rows;
    private final Fragment fragment;

    Storing(RemoteSource source, Fragment fragment) {
      this.source = source;
      this.fragment = fragment;
      this.rows =
          new BatchStore(
              source.schema(),
              fragment.allocator(),
              Math.max(1, fragment.spill().budgetBytes() / 2),
              fragment.spill().space(),
              fragment.queryId());
    }

    @Override
    PhysicalPlan absorbs() {
      return source;
    }

    @Override
    void add(VectorSchemaRoot batch) {
      rows.add(HashPartitioner.copyAll(batch, fragment.allocator()));
    }

    @Override
    Operator output() {
      BatchSource stored = rows.take();
      return new SourceOperator(source.schema(), stored);
    }

    @Override
    public void close() {
      rows.close();
    }
  }
}
