package dev.quiver.server.query;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.exec.Operator;
import dev.quiver.server.exec.RootOperator;
import java.util.List;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The answer of a distributed query and its report. Either assembled on the coordinator (ORDER BY,
 * LIMIT, DISTINCT aggregates, a polled query: it is computed whole before it is sent), or streamed:
 * its batches are computed as they are read, from the final merge here or from each owner in turn,
 * so an answer of any size passes through a bounded allocator. Closing it frees the answer and, for
 * a streamed one, the query's state on every node.
 */
public final class CoordinatedResult implements AutoCloseable {
  private final ResultAssembler assembled;
  private final Operator streamed;
  private final Runnable release;
  private final QueryReport report;
  private final List<Location> owners;
  private Operator filled;

  private CoordinatedResult(
      ResultAssembler assembled,
      Operator streamed,
      Runnable release,
      QueryReport report,
      List<Location> owners) {
    this.assembled = assembled;
    this.streamed = streamed;
    this.release = release;
    this.report = requireNonNull(report, "report is null");
    this.owners = List.copyOf(owners);
  }

  /**
   * An answer assembled here (or, with {@code owners}, left on them); takes {@code answer} over.
   */
  static CoordinatedResult assembled(
      ResultAssembler answer, QueryReport report, List<Location> owners) {
    return new CoordinatedResult(requireNonNull(answer), null, () -> {}, report, owners);
  }

  /**
   * An answer computed as it is read; takes {@code answer} over.
   *
   * @param release frees the query on every node once the answer is closed
   */
  static CoordinatedResult streamed(Operator answer, QueryReport report, Runnable release) {
    return new CoordinatedResult(null, requireNonNull(answer), release, report, List.of());
  }

  /**
   * The nodes that hold the answer, each its share, to be read from them with {@code answer}
   * tickets; empty when the answer comes from here.
   */
  public List<Location> owners() {
    return owners;
  }

  /**
   * The answer in batches of at most {@code batchRows} rows, in the plan's output columns; read it
   * once. The operator belongs to this result: close the result, not the operator.
   *
   * @param allocator where batches of an assembled answer are filled
   */
  public Operator answer(Schema schema, BufferAllocator allocator, int batchRows) {
    if (streamed != null) {
      return streamed;
    }
    if (filled == null) {
      filled = new Filled(schema, allocator, batchRows);
    }
    return filled;
  }

  public QueryReport report() {
    return report;
  }

  @Override
  public void close() {
    try {
      if (streamed != null) {
        streamed.close();
      } else {
        try (Operator batches = filled) {
          assembled.close();
        }
      }
    } finally {
      release.run();
    }
  }

  /** An assembled answer, copied out in batches. */
  private final class Filled extends RootOperator {
    private final int batchRows;
    private int from;

    Filled(Schema schema, BufferAllocator allocator, int batchRows) {
      super(schema, allocator);
      this.batchRows = batchRows;
    }

    @Override
    public boolean next() {
      int rows = assembled.rowCount();
      if (from >= rows) {
        return false;
      }
      int to = Math.min(rows, from + batchRows);
      assembled.fill(out, from, to);
      from = to;
      return true;
    }
  }
}
