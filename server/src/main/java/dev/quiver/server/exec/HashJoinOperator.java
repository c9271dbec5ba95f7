package dev.quiver.server.exec;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.scan.ScanStatistics;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.expression.Evaluator;
import dev.quiver.server.expression.Expression;
import dev.quiver.shuffle.key.KeyColumns;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A hash join over Arrow batches: reads the whole build input first, keeping its batches as they
 * came and a chained hash table of row numbers over their key columns (hashed and compared in their
 * buffers by {@link KeyColumns}, no boxing); then looks up each probe batch's rows in it and
 * gathers the matching pairs' columns into output batches of at most {@code maxBatchRows} pairs (a
 * probe row's matches are never split). Without keys every build row is a candidate for every probe
 * row: a nested-loop join.
 *
 * <p>The extra condition is evaluated on the candidate pairs (probe columns, then build columns);
 * outer, semi and anti joins decide "matched" after it. For RIGHT and FULL joins the build rows no
 * pair matched are handed on last, with NULL probe columns. A probe row or build row with a NULL
 * key that is not null-safe matches nothing.
 *
 * <p>Memory: the build side's batches are moved into this operator's allocator (the query's) and
 * held until it closes, with three {@code int}s of heap per build row.
 */
public final class HashJoinOperator implements Operator {
  private final Operator probe;
  private final Operator build;
  private final JoinType type;
  private final int[] probeKeys;
  private final int[] buildKeys;
  private final boolean[] nullSafe;
  private final Expression condition;
  private final Schema schema;
  private final Schema candidateSchema;
  private final ExecutionContext context;
  private final int probeWidth;
  private final int buildWidth;

  private final List<VectorSchemaRoot> batches = new ArrayList<>();
  private final List<List<FieldVector>> batchKeys = new ArrayList<>();
  private int buildRows;
  private int[] rowBatch = new int[0];
  private int[] rowIndex = new int[0];
  private int[] rowHash = new int[0];
  private int[] chain = new int[0];
  private int[] heads = new int[0];
  private int mask;
  private boolean[] buildMatched;
  private boolean built;

  private VectorSchemaRoot probeBatch;
  private List<FieldVector> probeKeyVectors;
  private int probeRow;
  private boolean probeDone;
  private int unmatchedCursor;

  private int[] pairProbe = new int[1024];
  private int[] pairBuild = new int[1024];
  private int pairs;
  private int[] outProbe = new int[1024];
  private int[] outBuild = new int[1024];
  private int outRows;
  private VectorSchemaRoot out;

  /**
   * @param probe read batch by batch after the build side; owned and closed here
   * @param build read whole first; owned and closed here
   * @param schema the output's schema: the probe's columns, then the build's unless semi or anti
   * @param condition over the probe's columns then the build's; null for none
   */
  public HashJoinOperator(
      Operator probe,
      Operator build,
      JoinType type,
      List<Integer> probeKeys,
      List<Integer> buildKeys,
      List<Boolean> nullSafe,
      Expression condition,
      Schema schema,
      ExecutionContext context) {
    this.probe = requireNonNull(probe, "probe is null");
    this.build = requireNonNull(build, "build is null");
    this.type = requireNonNull(type, "type is null");
    this.probeKeys = probeKeys.stream().mapToInt(Integer::intValue).toArray();
    this.buildKeys = buildKeys.stream().mapToInt(Integer::intValue).toArray();
    this.nullSafe = new boolean[this.probeKeys.length];
    for (int k = 0; k < this.nullSafe.length; k++) {
      this.nullSafe[k] = nullSafe.get(k);
    }
    this.condition = condition;
    this.schema = requireNonNull(schema, "schema is null");
    this.context = requireNonNull(context, "context is null");
    this.probeWidth = probe.schema().getFields().size();
    this.buildWidth = build.schema().getFields().size();
    List<Field> candidate = new ArrayList<>(probe.schema().getFields());
    candidate.addAll(build.schema().getFields());
    this.candidateSchema = new Schema(candidate);
  }

  @Override
  public Schema schema() {
    return schema;
  }

  @Override
  public VectorSchemaRoot root() {
    return out;
  }

  @Override
  public ScanStatistics statistics() {
    return probe.statistics().plus(build.statistics());
  }

  @Override
  public boolean next() {
    closeOut();
    if (!built) {
      buildTable();
      built = true;
      if (buildRows == 0
          && (type == JoinType.INNER || type == JoinType.SEMI || type == JoinType.RIGHT)) {
        probeDone = true;
      }
    }
    while (!probeDone) {
      context.checkCancelled();
      if (probeBatch == null || probeRow >= probeBatch.getRowCount()) {
        if (!probe.next()) {
          probeDone = true;
          probeBatch = null;
          break;
        }
        probeBatch = probe.root();
        probeRow = 0;
        probeKeyVectors = new ArrayList<>(probeKeys.length);
        for (int key : probeKeys) {
          probeKeyVectors.add(probeBatch.getVector(key));
        }
        continue;
      }
      if (probeChunk()) {
        return true;
      }
    }
    return (type == JoinType.RIGHT || type == JoinType.FULL) && unmatchedBuild();
  }

  /** Reads the build side and indexes its rows by key. */
  private void buildTable() {
    while (build.next()) {
      context.checkCancelled();
      VectorSchemaRoot batch = build.root();
      if (batch.getRowCount() == 0) {
        continue;
      }
      VectorSchemaRoot kept = Batches.moved(batch, context.allocator());
      batches.add(kept);
      List<FieldVector> keys = new ArrayList<>(buildKeys.length);
      for (int key : buildKeys) {
        keys.add(kept.getVector(key));
      }
      batchKeys.add(keys);
      long total = (long) buildRows + kept.getRowCount();
      if (total > Integer.MAX_VALUE - 8) {
        throw new QuiverException(
            ErrorCode.RESOURCE_EXHAUSTED,
            "The build side of a join has more than " + Integer.MAX_VALUE + " rows");
      }
      buildRows = (int) total;
    }
    rowBatch = new int[buildRows];
    rowIndex = new int[buildRows];
    int g = 0;
    for (int b = 0; b < batches.size(); b++) {
      int rows = batches.get(b).getRowCount();
      for (int r = 0; r < rows; r++) {
        rowBatch[g] = b;
        rowIndex[g++] = r;
      }
    }
    if (type == JoinType.RIGHT || type == JoinType.FULL) {
      buildMatched = new boolean[buildRows];
    }
    if (probeKeys.length == 0) {
      return;
    }
    // A power of two at least twice the rows (at most 2^30 slots).
    int capacity = (int) Math.min(1L << 30, Long.highestOneBit(Math.max(16L, buildRows * 2L)) << 1);
    heads = new int[capacity];
    mask = capacity - 1;
    rowHash = new int[buildRows];
    chain = new int[buildRows];
    // Inserted last to first, so that each chain lists its rows in build order.
    for (int row = buildRows - 1; row >= 0; row--) {
      List<FieldVector> keys = batchKeys.get(rowBatch[row]);
      int index = rowIndex[row];
      if (hasNullKey(keys, index)) {
        continue;
      }
      int hash = KeyColumns.hash(keys, index);
      rowHash[row] = hash;
      int slot = hash & mask;
      chain[row] = heads[slot];
      heads[slot] = row + 1;
    }
  }

  private boolean hasNullKey(List<FieldVector> keys, int row) {
    for (int k = 0; k < keys.size(); k++) {
      if (!nullSafe[k] && keys.get(k).isNull(row)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Joins the next probe rows of the current batch, up to a batch of candidate pairs.
   *
   * @return whether an output batch is ready
   */
  private boolean probeChunk() {
    int start = probeRow;
    int rows = probeBatch.getRowCount();
    int target = context.maxBatchRows();
    pairs = 0;
    int row = start;
    while (row < rows && pairs < target) {
      if (probeKeys.length == 0) {
        for (int g = 0; g < buildRows; g++) {
          addPair(row, g);
        }
      } else if (!hasNullKey(probeKeyVectors, row)) {
        int hash = KeyColumns.hash(probeKeyVectors, row);
        for (int g = heads[hash & mask] - 1; g >= 0; g = chain[g] - 1) {
          if (rowHash[g] == hash
              && KeyColumns.equal(probeKeyVectors, row, batchKeys.get(rowBatch[g]), rowIndex[g])) {
            addPair(row, g);
          }
        }
      }
      row++;
    }
    probeRow = row;
    boolean[] passed = passing();
    boolean[] matched = new boolean[row - start];
    outRows = 0;
    for (int p = 0; p < pairs; p++) {
      if (passed != null && !passed[p]) {
        continue;
      }
      matched[pairProbe[p] - start] = true;
      if (buildMatched != null) {
        buildMatched[pairBuild[p]] = true;
      }
      if (type.outputsBuild()) {
        addOut(pairProbe[p], pairBuild[p]);
      }
    }
    if (type == JoinType.SEMI || type == JoinType.ANTI) {
      boolean wanted = type == JoinType.SEMI;
      for (int r = start; r < row; r++) {
        if (matched[r - start] == wanted) {
          addOut(r, -1);
        }
      }
    } else if (type == JoinType.LEFT || type == JoinType.FULL) {
      for (int r = start; r < row; r++) {
        if (!matched[r - start]) {
          addOut(r, -1);
        }
      }
    }
    if (outRows == 0) {
      return false;
    }
    out = gather(probeBatch, outProbe, outBuild, outRows, schema, type.outputsBuild());
    return true;
  }

  /** Which candidate pairs satisfy the extra condition; null when there is none (all do). */
  private boolean[] passing() {
    if (condition == null || pairs == 0) {
      return null;
    }
    try (VectorSchemaRoot candidates =
        gather(probeBatch, pairProbe, pairBuild, pairs, candidateSchema, true)) {
      int[] selection = new int[pairs];
      int kept;
      try {
        kept = new Evaluator(candidates).select(condition, selection);
      } catch (IllegalArgumentException | ArithmeticException e) {
        throw new QuiverException(
            ErrorCode.INVALID_ARGUMENT, "Cannot evaluate the join condition: " + e.getMessage());
      }
      boolean[] passed = new boolean[pairs];
      for (int i = 0; i < kept; i++) {
        passed[selection[i]] = true;
      }
      return passed;
    }
  }

  /** Hands on the build rows no pair matched, a batch at a time. */
  private boolean unmatchedBuild() {
    outRows = 0;
    int target = context.maxBatchRows();
    while (unmatchedCursor < buildRows && outRows < target) {
      if (!buildMatched[unmatchedCursor]) {
        addOut(-1, unmatchedCursor);
      }
      unmatchedCursor++;
    }
    if (outRows == 0) {
      return false;
    }
    out = gather(null, outProbe, outBuild, outRows, schema, true);
    return true;
  }

  private void addPair(int probeIndex, int buildIndex) {
    if (pairs == pairProbe.length) {
      pairProbe = Arrays.copyOf(pairProbe, pairs * 2);
      pairBuild = Arrays.copyOf(pairBuild, pairs * 2);
    }
    pairProbe[pairs] = probeIndex;
    pairBuild[pairs++] = buildIndex;
  }

  private void addOut(int probeIndex, int buildIndex) {
    if (outRows == outProbe.length) {
      outProbe = Arrays.copyOf(outProbe, outRows * 2);
      outBuild = Arrays.copyOf(outBuild, outRows * 2);
    }
    outProbe[outRows] = probeIndex;
    outBuild[outRows++] = buildIndex;
  }

  /**
   * A new batch of {@code count} rows: row {@code i} has probe row {@code probeRows[i]} of {@code
   * source} (NULLs when negative) and, when {@code withBuild}, build row {@code buildRows[i]}
   * (NULLs when negative).
   */
  private VectorSchemaRoot gather(
      VectorSchemaRoot source,
      int[] probeRows,
      int[] buildRowsOf,
      int count,
      Schema target,
      boolean withBuild) {
    VectorSchemaRoot result = VectorSchemaRoot.create(target, context.allocator());
    try {
      for (int c = 0; c < probeWidth; c++) {
        FieldVector column = result.getVector(c);
        column.setInitialCapacity(count);
        column.allocateNew();
        FieldVector from = source == null ? null : source.getVector(c);
        for (int i = 0; i < count; i++) {
          int r = probeRows[i];
          if (r < 0) {
            column.setNull(i);
          } else {
            column.copyFromSafe(r, i, from);
          }
        }
        column.setValueCount(count);
      }
      if (withBuild) {
        for (int c = 0; c < buildWidth; c++) {
          FieldVector column = result.getVector(probeWidth + c);
          column.setInitialCapacity(count);
          column.allocateNew();
          for (int i = 0; i < count; i++) {
            int g = buildRowsOf[i];
            if (g < 0) {
              column.setNull(i);
            } else {
              column.copyFromSafe(rowIndex[g], i, batches.get(rowBatch[g]).getVector(c));
            }
          }
          column.setValueCount(count);
        }
      }
      result.setRowCount(count);
      return result;
    } catch (RuntimeException e) {
      result.close();
      throw e;
    }
  }

  private void closeOut() {
    if (out != null) {
      out.close();
      out = null;
    }
  }

  @Override
  public void close() {
    try {
      closeOut();
      batches.forEach(VectorSchemaRoot::close);
      batches.clear();
    } finally {
      try {
        probe.close();
      } finally {
        build.close();
      }
    }
  }
}
