package dev.quiver.server.exec;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Computes window functions: takes all of its input, sorts it by the partition keys then the order
 * keys ({@link Sorter}), computes every function for every row partition by partition ({@link
 * WindowEvaluator}), then returns the rows in that order, each followed by its functions' values,
 * in batches of at most the context's batch size.
 *
 * <p>It holds every input row in memory, in the query's allocator, until it is closed.
 */
public final class WindowOperator extends InputOperator {
  private final List<SortKey> keys;
  private final int partitionKeys;
  private final List<WindowCall> calls;
  private final ExecutionContext context;
  private final Schema schema;
  private final Sorter sorter;
  private final VectorSchemaRoot output;
  private final int[] inputColumns;
  private WindowRows rows;
  private List<WindowValues> values;
  private int emitted;

  /**
   * @param partitionKeys the input columns whose values make a partition
   * @param orderKeys how rows are ordered within their partition
   * @param schema the input's columns, then one per call
   */
  public WindowOperator(
      Operator input,
      List<Integer> partitionKeys,
      List<SortKey> orderKeys,
      List<WindowCall> calls,
      Schema schema,
      ExecutionContext context) {
    super(input);
    this.context = context;
    this.calls = List.copyOf(calls);
    this.schema = schema;
    this.partitionKeys = partitionKeys.size();
    List<SortKey> all = new ArrayList<>();
    for (int column : partitionKeys) {
      all.add(new SortKey(column, false, false));
    }
    all.addAll(orderKeys);
    this.keys = List.copyOf(all);
    this.inputColumns = new int[input.schema().getFields().size()];
    for (int c = 0; c < inputColumns.length; c++) {
      inputColumns[c] = c;
    }
    this.sorter = new Sorter(keys, context.allocator());
    this.output = VectorSchemaRoot.create(schema, context.allocator());
  }

  @Override
  public Schema schema() {
    return schema;
  }

  @Override
  public boolean next() {
    if (rows == null) {
      while (input.next()) {
        context.checkCancelled();
        sorter.addMovedFrom(input.root());
      }
      context.checkCancelled();
      rows = new WindowRows(sorter, keys, partitionKeys);
      WindowEvaluator evaluator = new WindowEvaluator(rows, context);
      values = new ArrayList<>();
      for (WindowCall call : calls) {
        values.add(evaluator.evaluate(call));
      }
    }
    if (emitted >= rows.size()) {
      return false;
    }
    context.checkCancelled();
    int to = Math.min(rows.size(), emitted + context.maxBatchRows());
    sorter.fill(output, rows.order(), emitted, to, inputColumns);
    for (int c = 0; c < values.size(); c++) {
      values.get(c).write(output.getVector(inputColumns.length + c), emitted, to, rows);
    }
    output.setRowCount(to - emitted);
    emitted = to;
    return true;
  }

  @Override
  public VectorSchemaRoot root() {
    return output;
  }

  @Override
  protected void closeOwn() {
    try {
      sorter.close();
    } finally {
      output.close();
    }
  }
}
