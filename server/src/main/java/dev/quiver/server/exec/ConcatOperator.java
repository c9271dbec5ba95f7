package dev.quiver.server.exec;

import dev.quiver.parquet.scan.ScanStatistics;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The batches of several inputs of one schema, one input after the other: how a coordinator reads
 * the partial results of every node of a gather. Each input is opened only when the one before it
 * is done, and closed then.
 */
public final class ConcatOperator implements Operator {
  private Schema schema;
  private final Deque<Supplier<Operator>> pending;
  private Operator current;
  private ScanStatistics finished = ScanStatistics.EMPTY;

  /**
   * @param schema the schema every input has; null to take the first input's (it is then opened
   *     when the schema is first asked for)
   * @param inputs opened in order; each operator they return is owned and closed here
   */
  public ConcatOperator(Schema schema, List<Supplier<Operator>> inputs) {
    if (schema == null && inputs.isEmpty()) {
      throw new IllegalArgumentException("No schema and no input to take it from");
    }
    this.schema = schema;
    this.pending = new ArrayDeque<>(inputs);
  }

  /** The batches of {@code inputs}, which are all owned and closed here, read or not. */
  public static ConcatOperator of(Schema schema, List<Operator> inputs) {
    return new ConcatOperator(
        schema, inputs.stream().<Supplier<Operator>>map(Opened::new).toList());
  }

  /** An input that is open already: closed with the operator even when never read. */
  private record Opened(Operator operator) implements Supplier<Operator> {
    @Override
    public Operator get() {
      return operator;
    }
  }

  @Override
  public Schema schema() {
    if (schema == null) {
      current = pending.removeFirst().get();
      schema = current.schema();
    }
    return schema;
  }

  @Override
  public boolean next() {
    while (true) {
      if (current == null) {
        if (pending.isEmpty()) {
          return false;
        }
        current = pending.removeFirst().get();
      }
      if (current.next()) {
        return true;
      }
      closeCurrent();
    }
  }

  @Override
  public VectorSchemaRoot root() {
    return current.root();
  }

  @Override
  public ScanStatistics statistics() {
    return current == null ? finished : finished.plus(current.statistics());
  }

  private void closeCurrent() {
    if (current != null) {
      finished = finished.plus(current.statistics());
      Operator closing = current;
      current = null;
      closing.close();
    }
  }

  @Override
  public void close() {
    try {
      closeCurrent();
    } finally {
      for (Supplier<Operator> input : pending) {
        if (input instanceof Opened opened) {
          opened.operator().close();
        }
      }
      pending.clear();
    }
  }
}
