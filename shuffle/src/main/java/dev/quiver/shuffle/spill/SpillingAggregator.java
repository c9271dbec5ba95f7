package dev.quiver.shuffle.spill;

import static java.util.Objects.requireNonNull;

import dev.quiver.shuffle.aggregate.AggregateLayout;
import dev.quiver.shuffle.aggregate.HashAggregator;
import dev.quiver.shuffle.memory.HeapBudget;
import dev.quiver.shuffle.partition.HashPartitioner;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A {@link HashAggregator} that keeps within a memory budget by spilling its groups to disk.
 *
 * <p>After each batch it adds, it weighs its state (the Arrow buffers in its own child allocator
 * and the heap arrays beside them, beyond what an empty aggregator takes); above the budget, or
 * when a batch runs the allocator out of memory or its hash table's heap arrays find no room in the
 * query's {@link HeapBudget}, it moves the state out as partial groups and writes it to disk, then
 * starts empty:
 *
 * <ul>
 *   <li>{@link Input#ROWS} (a partial aggregation, whose output is merged again elsewhere): the
 *       state goes to one run file as it is. The output is every run, then the last state; one key
 *       may appear in several batches, which is what partials may do.
 *   <li>{@link Input#PARTIALS} (a merge): the state is split by key hash into {@value #PARTITIONS}
 *       partition files, so that the output can merge one partition at a time, each by a new
 *       aggregator one level down, which spills again the same way if a partition is still too big.
 * </ul>
 *
 * <p>Without a spill the output is exactly one batch, the state as {@link HashAggregator} gives it.
 * Not thread-safe.
 */
public final class SpillingAggregator implements AutoCloseable {
  /** Spill partitions per level of a merge. */
  public static final int PARTITIONS = 16;

  /** Levels of partitioning a merge may go down before it gives up (16^4 times the budget). */
  static final int MAX_LEVEL = 4;

  /** What the aggregator is fed. */
  public enum Input {
    /** Raw rows: the layout's keys, then its arguments. */
    ROWS,
    /** Partial groups in the layout's partial schema. */
    PARTIALS
  }

  /** What the aggregator hands out. */
  public enum Output {
    /** Partial groups, to be merged again. */
    PARTIALS,
    /** Final groups in the layout's result schema. */
    RESULTS
  }

  private final AggregateLayout layout;
  private final Input input;
  private final BufferAllocator allocator;
  private final long budget;
  private final SpillSpace space;
  private final String owner;
  private final HeapBudget heap;
  private final int level;
  private BufferAllocator stateAllocator;
  private HashAggregator state;
  private long emptyStateBytes;
  private final List<SpillFile> files = new ArrayList<>();
  private int spills;
  private long spilledRows;
  private boolean finished;

  /**
   * @param allocator the query's allocator: the state lives in a child of it, outputs in it
   * @param budget bytes of state above which the aggregator spills
   * @param space where it spills; null never spills (the allocator's limit then bounds the groups)
   * @param owner names the spill files, e.g. the query id
   */
  public SpillingAggregator(
      AggregateLayout layout,
      Input input,
      BufferAllocator allocator,
      long budget,
      SpillSpace space,
      String owner) {
    this(layout, input, allocator, budget, space, owner, HeapBudget.unlimited(), 0);
  }

  /**
   * As {@link #SpillingAggregator(AggregateLayout, Input, BufferAllocator, long, SpillSpace,
   * String)}, with the hash table's heap arrays reserved in {@code heap} (the query's heap budget):
   * a refused reservation spills as a full allocator does.
   */
  public SpillingAggregator(
      AggregateLayout layout,
      Input input,
      BufferAllocator allocator,
      long budget,
      SpillSpace space,
      String owner,
      HeapBudget heap) {
    this(layout, input, allocator, budget, space, owner, heap, 0);
  }

  private SpillingAggregator(
      AggregateLayout layout,
      Input input,
      BufferAllocator allocator,
      long budget,
      SpillSpace space,
      String owner,
      HeapBudget heap,
      int level) {
    this.layout = requireNonNull(layout, "layout is null");
    this.input = requireNonNull(input, "input is null");
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.budget = budget;
    this.space = space;
    this.owner = requireNonNull(owner, "owner is null");
    this.heap = requireNonNull(heap, "heap is null");
    this.level = level;
    startState();
  }

  private void startState() {
    stateAllocator =
        allocator.newChildAllocator(
            owner + "-aggregate-" + level + "-" + spills, 0, allocator.getLimit());
    try {
      state = new HashAggregator(layout, stateAllocator, heap);
      emptyStateBytes = stateBytes();
    } catch (RuntimeException e) {
      stateAllocator.close();
      stateAllocator = null;
      throw e;
    }
  }

  private void closeState() {
    try {
      if (state != null) {
        state.close();
      }
    } finally {
      state = null;
      if (stateAllocator != null) {
        stateAllocator.close();
        stateAllocator = null;
      }
    }
  }

  public AggregateLayout layout() {
    return layout;
  }

  /** Groups in memory now (after a spill, only those since). */
  public int groupCount() {
    return state == null ? 0 : state.groupCount();
  }

  /** How many times the state went to disk. */
  public int spills() {
    return spills;
  }

  /** Partial groups written to disk. */
  public long spilledRows() {
    return spilledRows;
  }

  /** Bytes the state takes now: its Arrow buffers and its heap arrays. */
  public long stateBytes() {
    return state == null ? 0 : stateAllocator.getAllocatedMemory() + state.heapBytes();
  }

  /**
   * Folds a batch in (raw rows or partials, as the aggregator's {@link Input} says); only reads it.
   */
  public void add(VectorSchemaRoot batch) {
    if (finished) {
      throw new IllegalStateException("The aggregator's output was already taken");
    }
    int rows = batch.getRowCount();
    if (space == null || rows <= CHUNK_ROWS || roomFor(rows)) {
      addChunk(batch);
      return;
    }
    // Short of room for the whole batch: in slices (sharing its buffers), so that a spill can
    // come between them.
    for (int from = 0; from < rows; from += CHUNK_ROWS) {
      try (VectorSchemaRoot chunk = batch.slice(from, Math.min(CHUNK_ROWS, rows - from))) {
        addChunk(chunk);
      }
    }
  }

  /** Rows added at once when the aggregator may spill. */
  static final int CHUNK_ROWS = 16_384;

  private void addChunk(VectorSchemaRoot batch) {
    if (space != null && state.groupCount() > 0 && !roomFor(batch.getRowCount())) {
      spill(); // the batch's new groups might not fit beside what the query holds
    }
    try {
      feed(batch);
    } catch (OutOfMemoryException e) {
      if (space == null || state.groupCount() == 0) {
        throw e;
      }
      // No state took anything of the batch beyond its first rows taken (HashAggregator's
      // promise): spill, then add the rest again.
      int taken = input == Input.ROWS ? state.rowsTakenBeforeFailure() : 0;
      spill();
      if (taken == 0) {
        feed(batch);
      } else {
        try (VectorSchemaRoot rest = batch.slice(taken, batch.getRowCount() - taken)) {
          feed(rest);
        }
      }
    }
    if (space != null && stateBytes() - emptyStateBytes > budget && state.groupCount() > 0) {
      spill();
    }
  }

  /**
   * Whether the query's allocator and its heap budget could take {@code rows} new groups: twice
   * their estimated bytes (a state vector or hash array grows by doubling, holding old and new at
   * once), at the bytes per group the state shows so far.
   */
  private boolean roomFor(int rows) {
    int groups = state.groupCount();
    long perGroup =
        groups < 1024
            ? DEFAULT_GROUP_BYTES
            : Math.max(1, (stateAllocator.getAllocatedMemory() - emptyStateBytes) / groups);
    long largest = Math.max(rows, groups) * perGroup;
    long heapPerGroup =
        groups < 1024 ? DEFAULT_GROUP_BYTES : Math.max(1, state.heapBytes() / groups);
    return stateAllocator.getHeadroom() > 2 * largest
        && heap.headroom() > 2 * Math.max(rows, groups) * heapPerGroup;
  }

  /** Bytes a group is assumed to take before the state shows it (keys, states, hash slots). */
  private static final long DEFAULT_GROUP_BYTES = 64;

  private void feed(VectorSchemaRoot batch) {
    if (input == Input.ROWS) {
      state.addInput(batch);
    } else {
      state.addPartial(batch);
    }
  }

  private void spill() {
    try (VectorSchemaRoot partial = state.takePartial()) {
      spilledRows += partial.getRowCount();
      if (input == Input.ROWS) {
        if (files.isEmpty()) {
          files.add(space.create(owner, layout.partialSchema()));
        }
        files.get(0).write(partial);
      } else {
        writePartitioned(partial);
      }
    } finally {
      closeState();
    }
    spills++;
    startState();
  }

  private void writePartitioned(VectorSchemaRoot partial) {
    if (files.isEmpty()) {
      for (int p = 0; p < PARTITIONS; p++) {
        files.add(space.create(owner, layout.partialSchema()));
      }
    }
    HashPartitioner partitioner = new HashPartitioner(PARTITIONS, level + 1);
    int[][] rows =
        partitioner.assign(
            partial.getFieldVectors().subList(0, layout.keys().size()), partial.getRowCount());
    for (int p = 0; p < PARTITIONS; p++) {
      int[] selected = rows[p];
      for (int from = 0; from < selected.length; from += SpillFile.CHUNK_ROWS) {
        int to = Math.min(selected.length, from + SpillFile.CHUNK_ROWS);
        try (VectorSchemaRoot slice =
            HashPartitioner.copyRows(partial, selected, from, to, space.allocator())) {
          files.get(p).write(slice);
        }
      }
    }
  }

  /**
   * Ends the input and hands out the groups. With {@link Output#RESULTS} the input must have been
   * {@link Input#PARTIALS} or never spilled, since only a merge can finish spilled groups.
   *
   * @return the groups, in batches the caller owns; the source must be closed before this
   *     aggregator
   */
  public BatchSource finish(Output output) {
    if (finished) {
      throw new IllegalStateException("The aggregator's output was already taken");
    }
    finished = true;
    if (files.isEmpty()) {
      VectorSchemaRoot groups = output == Output.RESULTS ? state.takeResult() : state.takePartial();
      return new Single(moveOut(groups));
    }
    if (input == Input.ROWS) {
      if (output == Output.RESULTS) {
        throw new IllegalStateException("Spilled raw rows can only be handed out as partials");
      }
      return new Runs(files.get(0), moveOut(state.takePartial()));
    }
    if (state.groupCount() > 0) {
      try (VectorSchemaRoot rest = state.takePartial()) {
        writePartitioned(rest);
      }
    }
    closeState();
    return new Partitions(output);
  }

  /** Moves a root out of the state's allocator into the query's, so it outlives the state. */
  private VectorSchemaRoot moveOut(VectorSchemaRoot groups) {
    try (groups) {
      VectorSchemaRoot moved = VectorSchemaRoot.create(groups.getSchema(), allocator);
      for (int c = 0; c < groups.getFieldVectors().size(); c++) {
        groups.getVector(c).makeTransferPair(moved.getVector(c)).transfer();
      }
      moved.setRowCount(groups.getRowCount());
      return moved;
    }
  }

  @Override
  public void close() {
    try {
      closeState();
    } finally {
      files.forEach(SpillFile::close);
      files.clear();
    }
  }

  /** The one batch of an aggregator that never spilled. */
  private static final class Single implements BatchSource {
    private VectorSchemaRoot batch;

    Single(VectorSchemaRoot batch) {
      this.batch = batch;
    }

    @Override
    public VectorSchemaRoot next() {
      VectorSchemaRoot taken = batch;
      batch = null;
      return taken;
    }

    @Override
    public void close() {
      if (batch != null) {
        batch.close();
        batch = null;
      }
    }
  }

  /** A spilled partial aggregation: the run's batches, then the state left in memory. */
  private final class Runs implements BatchSource {
    private BatchSource run;
    private VectorSchemaRoot last;

    Runs(SpillFile file, VectorSchemaRoot last) {
      this.last = last;
      try {
        this.run = file.read(allocator);
      } catch (RuntimeException e) {
        last.close();
        throw e;
      }
    }

    @Override
    public VectorSchemaRoot next() {
      if (run != null) {
        VectorSchemaRoot batch = run.next();
        if (batch != null) {
          return batch;
        }
        run.close();
        run = null;
      }
      VectorSchemaRoot taken = last;
      last = null;
      return taken;
    }

    @Override
    public void close() {
      if (run != null) {
        run.close();
        run = null;
      }
      if (last != null) {
        last.close();
        last = null;
      }
    }
  }

  /** A spilled merge, handed out one partition at a time, each merged one level down. */
  private final class Partitions implements BatchSource {
    private final Output output;
    private int next;
    private SpillingAggregator merging;
    private BatchSource merged;

    Partitions(Output output) {
      this.output = output;
    }

    @Override
    public VectorSchemaRoot next() {
      while (true) {
        if (merged != null) {
          VectorSchemaRoot batch = merged.next();
          if (batch != null && batch.getRowCount() > 0) {
            return batch;
          }
          if (batch != null) {
            batch.close();
            continue;
          }
          closePartition();
        }
        if (next == files.size()) {
          return null;
        }
        mergePartition(next++);
      }
    }

    private void mergePartition(int p) {
      if (level + 1 > MAX_LEVEL) {
        throw new OutOfMemoryException(
            "A partition of the groups still exceeds the budget of "
                + budget
                + " bytes after "
                + MAX_LEVEL
                + " levels of spilling");
      }
      SpillFile file = files.get(p);
      merging =
          new SpillingAggregator(
              layout, Input.PARTIALS, allocator, budget, space, owner, heap, level + 1);
      try (BatchSource spilled = file.read(allocator)) {
        for (VectorSchemaRoot batch = spilled.next(); batch != null; batch = spilled.next()) {
          try {
            merging.add(batch);
          } finally {
            batch.close();
          }
        }
      }
      file.close();
      merged = merging.finish(output);
    }

    private void closePartition() {
      try {
        if (merged != null) {
          merged.close();
        }
      } finally {
        merged = null;
        if (merging != null) {
          merging.close();
          merging = null;
        }
      }
    }

    @Override
    public void close() {
      closePartition();
    }
  }
}
