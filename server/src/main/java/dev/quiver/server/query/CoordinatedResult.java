package dev.quiver.server.query;

import java.util.List;
import org.apache.arrow.flight.Location;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The answer of a distributed query, held on the coordinator until it is sent, and its report.
 * Closing it frees the answer.
 */
public final class CoordinatedResult implements AutoCloseable {
  private final ResultAssembler answer;
  private final QueryReport report;
  private final List<Location> owners;

  CoordinatedResult(ResultAssembler answer, QueryReport report, List<Location> owners) {
    this.answer = answer;
    this.report = report;
    this.owners = List.copyOf(owners);
  }

  /**
   * The nodes that hold the answer, each its share, to be read from them with {@code answer}
   * tickets; empty when the answer is here, on the coordinator.
   */
  public List<Location> owners() {
    return owners;
  }

  /** Number of rows of the answer. */
  public int rowCount() {
    return answer.rowCount();
  }

  /** Fills {@code out}, in the plan's output schema, with rows {@code [from, to)} of the answer. */
  public void fill(VectorSchemaRoot out, int from, int to) {
    answer.fill(out, from, to);
  }

  public QueryReport report() {
    return report;
  }

  @Override
  public void close() {
    answer.close();
  }
}
