package dev.quiver.server.exec;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.expression.Column;
import dev.quiver.server.expression.Vectors;
import dev.quiver.shuffle.spill.BatchSource;
import dev.quiver.shuffle.spill.SpillFile;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Sorts rows within a memory budget, an external merge sort: rows gather in a {@link Sorter} until
 * they exceed the {@link Spill} budget, are then sorted and written to disk as a run, and reading
 * merges the runs, holding one batch of each at a time. Rows that never outgrew the budget are
 * sorted in memory, as by the {@link Sorter} alone. Not thread-safe.
 */
public final class SpillingSorter implements AutoCloseable {
  private final List<SortKey> keys;
  private final Schema schema;
  private final BufferAllocator allocator;
  private final Spill spill;
  private final String owner;
  private final int batchRows;
  private final Sorter memory;
  private final List<SpillFile> runs = new ArrayList<>();
  private long memoryBytes;
  private long rows;

  /**
   * @param schema the rows' schema
   * @param allocator where rows in memory, and those read back, live
   * @param owner names the run files, e.g. the query id
   * @param batchRows rows per run batch and per output batch
   */
  public SpillingSorter(
      List<SortKey> keys,
      Schema schema,
      BufferAllocator allocator,
      Spill spill,
      String owner,
      int batchRows) {
    this.keys = List.copyOf(keys);
    this.schema = requireNonNull(schema, "schema is null");
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.spill = requireNonNull(spill, "spill is null");
    this.owner = requireNonNull(owner, "owner is null");
    this.batchRows = batchRows;
    this.memory = new Sorter(keys, allocator);
  }

  /** Takes the rows of {@code batch} (its buffers move here; it is left empty). */
  public void addMovedFrom(VectorSchemaRoot batch) {
    long bytes = 0;
    for (FieldVector vector : batch.getFieldVectors()) {
      bytes += vector.getBufferSize();
    }
    rows += batch.getRowCount();
    memory.addMovedFrom(batch);
    memoryBytes += bytes;
    if (spill.space() != null && memoryBytes > spill.budgetBytes()) {
      writeRun();
    }
  }

  /** Rows taken. */
  public long rowCount() {
    return rows;
  }

  /** Runs written to disk. */
  public int runs() {
    return runs.size();
  }

  private void writeRun() {
    long[] order = memory.sorted(Long.MAX_VALUE);
    SpillFile run = spill.space().create(owner, schema);
    runs.add(run);
    int[] all = allColumns();
    try (VectorSchemaRoot batch = VectorSchemaRoot.create(schema, allocator)) {
      for (int from = 0; from < order.length; from += batchRows) {
        memory.fill(batch, order, from, Math.min(order.length, from + batchRows), all);
        run.write(batch);
      }
    }
    memory.close();
    memoryBytes = 0;
  }

  private int[] allColumns() {
    int[] all = new int[schema.getFields().size()];
    for (int c = 0; c < all.length; c++) {
      all[c] = c;
    }
    return all;
  }

  /**
   * The rows in order, columns {@code columns} of theirs, in batches of the output schema that the
   * operator owns. Read it once, and close it before this sorter.
   */
  public Operator sorted(Schema output, int[] columns) {
    if (runs.isEmpty()) {
      return new InMemory(output, columns);
    }
    if (memory.rowCount() > 0) {
      writeRun();
    }
    return new Merge(output, columns);
  }

  @Override
  public void close() {
    try {
      memory.close();
    } finally {
      runs.forEach(SpillFile::close);
      runs.clear();
    }
  }

  /** The rows held in memory, sorted there. */
  private final class InMemory extends RootOperator {
    private final int[] columns;
    private long[] order;
    private int from;

    InMemory(Schema output, int[] columns) {
      super(output, allocator);
      this.columns = columns.clone();
    }

    @Override
    public boolean next() {
      if (order == null) {
        order = memory.sorted(Long.MAX_VALUE);
      }
      if (from >= order.length) {
        return false;
      }
      int to = Math.min(order.length, from + batchRows);
      memory.fill(out, order, from, to, columns);
      from = to;
      return true;
    }
  }

  /** One run being merged: its current batch and row. */
  private final class Cursor implements AutoCloseable {
    final int run;
    final BatchSource source;
    VectorSchemaRoot batch;
    Column[] keyColumns;
    int row;

    Cursor(int run, BatchSource source) {
      this.run = run;
      this.source = source;
    }

    /** Moves to the next batch; false at the end of the run. */
    boolean load() {
      if (batch != null) {
        batch.close();
      }
      batch = source.next();
      while (batch != null && batch.getRowCount() == 0) {
        batch.close();
        batch = source.next();
      }
      if (batch == null) {
        return false;
      }
      keyColumns = new Column[keys.size()];
      for (int k = 0; k < keys.size(); k++) {
        keyColumns[k] = Vectors.read(batch.getVector(keys.get(k).column()), batch.getRowCount());
      }
      row = 0;
      return true;
    }

    @Override
    public void close() {
      try {
        if (batch != null) {
          batch.close();
          batch = null;
        }
      } finally {
        source.close();
      }
    }
  }

  /** A k-way merge of the sorted runs; ties go to the earlier run, so the sort stays stable. */
  private final class Merge extends RootOperator {
    private final int[] columns;
    private final List<Cursor> cursors = new ArrayList<>();
    private final PriorityQueue<Cursor> heads;

    Merge(Schema output, int[] columns) {
      super(output, allocator);
      this.columns = columns.clone();
      this.heads =
          new PriorityQueue<>(
              (a, b) -> {
                int order = SortKey.compare(keys, a.keyColumns, a.row, b.keyColumns, b.row);
                return order != 0 ? order : Integer.compare(a.run, b.run);
              });
      try {
        for (int r = 0; r < runs.size(); r++) {
          Cursor cursor = new Cursor(r, runs.get(r).read(allocator));
          cursors.add(cursor);
          if (cursor.load()) {
            heads.add(cursor);
          }
        }
      } catch (RuntimeException e) {
        close();
        throw e;
      }
    }

    @Override
    public boolean next() {
      if (heads.isEmpty()) {
        return false;
      }
      for (FieldVector vector : out.getFieldVectors()) {
        vector.setInitialCapacity(batchRows);
        vector.allocateNew();
      }
      int count = 0;
      while (count < batchRows && !heads.isEmpty()) {
        Cursor head = heads.poll();
        for (int c = 0; c < columns.length; c++) {
          out.getVector(c).copyFromSafe(head.row, count, head.batch.getVector(columns[c]));
        }
        count++;
        head.row++;
        if (head.row < head.batch.getRowCount() || head.load()) {
          heads.add(head);
        }
      }
      for (FieldVector vector : out.getFieldVectors()) {
        vector.setValueCount(count);
      }
      out.setRowCount(count);
      return true;
    }

    @Override
    public void close() {
      try {
        cursors.forEach(Cursor::close);
      } finally {
        super.close();
      }
    }
  }
}
