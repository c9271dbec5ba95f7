package dev.quiver.shuffle.aggregate;

import static java.util.Objects.requireNonNull;

import dev.quiver.shuffle.memory.HeapBudget;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * Groups rows by key and folds them into aggregates, over Arrow vectors.
 *
 * <p>Two kinds of input: raw batches ({@link #addInput}), whose columns are named as the layout's
 * key and input fields, and partial results of other aggregators ({@link #addPartial}) in the
 * layout's partial schema. The output is either a partial result for another aggregator ({@link
 * #takePartial}) or the final result ({@link #takeResult}); both move the state out, after which
 * the aggregator holds nothing and only {@link #close()} remains.
 *
 * <p>Memory comes from the given allocator, so its limit bounds the number of groups: exceeding it
 * throws Arrow's {@link OutOfMemoryException}, and when {@link #addInput} or {@link #addPartial}
 * throws it, the aggregator is as it was before the batch's first {@link #rowsTakenBeforeFailure()}
 * rows were added (the later rows' new groups are forgotten, no state took anything of them), so
 * the caller may spill the state and add the rest of the batch again. The hash table's heap arrays
 * are reserved in a {@link HeapBudget} before they are allocated, and a refused reservation throws
 * the same exception with the same promise. A sum beyond its type throws {@link
 * AggregateOverflowException}. Not thread-safe.
 *
 * <p>The headline query, {@code SUM} of a DOUBLE grouped by one integer key, is folded in one pass
 * per batch while every key already has a group in the table of directly looked-up keys (the usual
 * batch once the first batches have made the groups); the rest of a batch goes the general way: ids
 * of every row's group first, then each state folds the rows in.
 */
public final class HashAggregator implements AutoCloseable {
  private final AggregateLayout layout;
  private final BufferAllocator allocator;
  private final GroupTable groups;
  private final List<Accumulator> accumulators = new ArrayList<>();
  private int[] ids = new int[0];
  private boolean taken;
  private int rowsTaken;
  private final HeapBudget heap;

  /** Heap bytes of the states (e.g. string MIN/MAX) counted in {@link #heap} so far. */
  private long stateHeapBytes;

  /** The one accumulator when the layout is SUM of a DOUBLE by one integer key, else null. */
  private final DoubleSumAccumulator knownGroupSum;

  /**
   * An aggregator whose heap arrays only the JVM's heap bounds.
   *
   * @param allocator where keys and states live; must outlive the aggregator and what it returns
   */
  public HashAggregator(AggregateLayout layout, BufferAllocator allocator) {
    this(layout, allocator, HeapBudget.unlimited());
  }

  /**
   * @param allocator where keys and states live; must outlive the aggregator and what it returns
   * @param heap where the hash table's heap arrays are reserved (in a child budget the aggregator
   *     closes with itself)
   */
  public HashAggregator(AggregateLayout layout, BufferAllocator allocator, HeapBudget heap) {
    this.layout = requireNonNull(layout, "layout is null");
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.heap =
        requireNonNull(heap, "heap is null").child(heap.name() + " hash table", Long.MAX_VALUE);
    GroupTable table;
    try {
      table = new GroupTable(layout.keys(), allocator, this.heap);
    } catch (RuntimeException e) {
      this.heap.close();
      throw e;
    }
    this.groups = table;
    try {
      for (AggregateCall call : layout.calls()) {
        accumulators.add(Accumulators.create(call, allocator));
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    knownGroupSum =
        layout.keys().size() == 1
                && layout.keys().get(0).getType() instanceof ArrowType.Int integer
                && integer.getBitWidth() == 64
                && accumulators.size() == 1
                && accumulators.get(0) instanceof DoubleSumAccumulator sum
                && layout.calls().get(0).input().getType() instanceof ArrowType.FloatingPoint
            ? sum
            : null;
  }

  public AggregateLayout layout() {
    return layout;
  }

  /** Number of groups so far. */
  public int groupCount() {
    return groups.size();
  }

  /** Bytes held on the heap beside the allocator's: the hash table and heap-side states. */
  public long heapBytes() {
    long bytes = groups.heapBytes() + 4L * ids.length;
    for (Accumulator accumulator : accumulators) {
      bytes += accumulator.heapBytes();
    }
    return bytes;
  }

  /**
   * Folds a batch of input rows in; the batch is only read.
   *
   * @throws OutOfMemoryException when the batch's new groups do not fit; then its first {@link
   *     #rowsTakenBeforeFailure()} rows are folded in and nothing of the others
   */
  public void addInput(VectorSchemaRoot batch) {
    rowsTaken = 0;
    int rows = batch.getRowCount();
    int known = addKnownGroups(batch, rows);
    if (known == 0) {
      addRows(batch, rows);
    } else if (known < rows) {
      rowsTaken = known;
      try (VectorSchemaRoot rest = batch.slice(known, rows - known)) {
        addRows(rest, rows - known);
      }
      rowsTaken = 0;
    }
  }

  /**
   * After {@link #addInput} threw {@link OutOfMemoryException}: the leading rows of its batch that
   * were folded in before (0 when none were).
   */
  public int rowsTakenBeforeFailure() {
    return rowsTaken;
  }

  /** The one-pass fold of {@link #knownGroupSum}, from row 0 on; returns the rows folded in. */
  private int addKnownGroups(VectorSchemaRoot batch, int rows) {
    if (knownGroupSum == null || taken) {
      return 0;
    }
    int[] direct = groups.directIds();
    FieldVector key = batch.getVector(layout.keys().get(0).getName());
    FieldVector input = batch.getVector(layout.calls().get(0).input().getName());
    if (direct == null
        || !(key instanceof BaseFixedWidthVector fixed)
        || fixed.getTypeWidth() != 8
        || key.getNullCount() != 0
        || !(input instanceof Float8Vector doubles)
        || input.getNullCount() != 0) {
      return 0;
    }
    long keys = Memory.require(key.getDataBuffer(), rows * 8L);
    return knownGroupSum.addKnownGroups(keys, direct, groups.directBase(), doubles, rows);
  }

  private void addRows(VectorSchemaRoot batch, int rows) {
    List<FieldVector> keys = new ArrayList<>();
    layout.keys().forEach(key -> keys.add(batch.getVector(key.getName())));
    assign(keys, rows);
    for (int a = 0; a < accumulators.size(); a++) {
      AggregateCall call = layout.calls().get(a);
      FieldVector input = call.input() == null ? null : batch.getVector(call.input().getName());
      accumulators.get(a).update(input, ids, rows);
    }
    countStateHeap();
  }

  /** Folds a batch of partial results, in {@link AggregateLayout#partialSchema()}, in. */
  public void addPartial(VectorSchemaRoot partial) {
    int rows = partial.getRowCount();
    List<FieldVector> vectors = partial.getFieldVectors();
    int keyCount = layout.keys().size();
    assign(vectors.subList(0, keyCount), rows);
    int column = keyCount;
    for (int a = 0; a < accumulators.size(); a++) {
      int width = layout.calls().get(a).stateFields("").size();
      accumulators.get(a).merge(vectors.subList(column, column + width), ids, rows);
      column += width;
    }
    countStateHeap();
  }

  private void assign(List<FieldVector> keys, int rows) {
    if (taken) {
      throw new IllegalStateException("The aggregator's result was already taken");
    }
    if (ids.length < rows) {
      int length = Math.max(rows, ids.length * 2);
      heap.reserve(4L * length);
      heap.release(4L * ids.length);
      ids = new int[length];
    }
    int before = groups.size();
    try {
      groups.assign(keys, rows, ids);
      accumulators.forEach(a -> a.ensureGroups(groups.size()));
    } catch (OutOfMemoryException e) {
      groups.truncate(before); // the batch's new groups may lack room in some state
      throw e;
    }
  }

  /**
   * Moves the groups out as a partial result in {@link AggregateLayout#partialSchema()}.
   *
   * @return a root the caller owns and closes
   */
  public VectorSchemaRoot takePartial() {
    VectorSchemaRoot partial = VectorSchemaRoot.create(layout.partialSchema(), allocator);
    try {
      List<FieldVector> vectors = partial.getFieldVectors();
      int column = moveKeys(vectors);
      for (int a = 0; a < accumulators.size(); a++) {
        int width = layout.calls().get(a).stateFields("").size();
        accumulators.get(a).exportState(vectors.subList(column, column + width), groups.size());
        column += width;
      }
      partial.setRowCount(groups.size());
      return partial;
    } catch (RuntimeException e) {
      partial.close();
      throw e;
    }
  }

  /**
   * Moves the groups out as final results in {@link AggregateLayout#resultSchema()}.
   *
   * @return a root the caller owns and closes
   * @throws AggregateOverflowException if a value does not fit its result type
   */
  public VectorSchemaRoot takeResult() {
    VectorSchemaRoot result = VectorSchemaRoot.create(layout.resultSchema(), allocator);
    try {
      List<FieldVector> vectors = result.getFieldVectors();
      int column = moveKeys(vectors);
      for (int a = 0; a < accumulators.size(); a++) {
        accumulators.get(a).exportResult(vectors.get(column + a), groups.size());
      }
      result.setRowCount(groups.size());
      return result;
    } catch (RuntimeException e) {
      result.close();
      throw e;
    }
  }

  private int moveKeys(List<FieldVector> targets) {
    if (taken) {
      throw new IllegalStateException("The aggregator's result was already taken");
    }
    taken = true;
    groups.finishKeys();
    List<FieldVector> keys = groups.keys();
    for (int k = 0; k < keys.size(); k++) {
      keys.get(k).makeTransferPair(targets.get(k)).transfer();
    }
    return keys.size();
  }

  /**
   * Counts what the states' heap arrays grew by in the budget: they grow inside a state, where a
   * refusal could not leave the state as it was, so they are counted after, and later reservations
   * find less room.
   */
  private void countStateHeap() {
    long bytes = 0;
    for (Accumulator accumulator : accumulators) {
      bytes += accumulator.heapBytes();
    }
    heap.forceReserve(bytes - stateHeapBytes);
    stateHeapBytes = bytes;
  }

  @Override
  public void close() {
    try {
      groups.close();
      accumulators.forEach(Accumulator::close);
    } finally {
      heap.close();
    }
  }
}
