package dev.quiver.server.query;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.exec.Operator;
import dev.quiver.shuffle.memory.HeapBudget;
import java.util.List;
import org.apache.arrow.flight.FlightEndpoint;

/**
 * The answer of a distributed query and its report: either computed here as it is read (the last
 * stage's operators over what they read from the nodes, so an answer of any size passes through a
 * bounded allocator), or left on the nodes that hold its shares, one endpoint each. Closing it
 * frees the answer, the coordinator's heap budget and the query's state on the nodes that do not
 * hold a share of the answer.
 */
public final class CoordinatedResult implements AutoCloseable {
  private final Operator answer;
  private final List<FlightEndpoint> endpoints;
  private final Runnable release;
  private final HeapBudget heap;
  private final QueryReport report;

  private CoordinatedResult(
      Operator answer,
      List<FlightEndpoint> endpoints,
      Runnable release,
      HeapBudget heap,
      QueryReport report) {
    this.answer = answer;
    this.endpoints = List.copyOf(endpoints);
    this.release = requireNonNull(release, "release is null");
    this.heap = requireNonNull(heap, "heap is null");
    this.report = requireNonNull(report, "report is null");
  }

  /**
   * An answer computed as it is read; takes {@code answer} and {@code heap} over.
   *
   * @param release frees the query on every node once the answer is closed
   */
  static CoordinatedResult streamed(
      Operator answer, QueryReport report, Runnable release, HeapBudget heap) {
    return new CoordinatedResult(requireNonNull(answer), List.of(), release, heap, report);
  }

  /**
   * An answer left on the nodes, read with {@code endpoints}; takes {@code heap} over.
   *
   * @param release frees the query on the nodes that hold no share of the answer
   */
  static CoordinatedResult onNodes(
      List<FlightEndpoint> endpoints, QueryReport report, Runnable release, HeapBudget heap) {
    return new CoordinatedResult(null, endpoints, release, heap, report);
  }

  /**
   * The endpoints of the nodes that hold the answer, each its share, in order; empty when the
   * answer comes from here.
   */
  public List<FlightEndpoint> endpoints() {
    return endpoints;
  }

  /**
   * The answer, in the query's output columns; read it once. The operator belongs to this result:
   * close the result, not the operator.
   *
   * @throws IllegalStateException when the answer was left on the nodes
   */
  public Operator answer() {
    if (answer == null) {
      throw new IllegalStateException("The answer was left on the nodes: " + endpoints);
    }
    return answer;
  }

  public QueryReport report() {
    return report;
  }

  @Override
  public void close() {
    try {
      if (answer != null) {
        answer.close();
      }
    } finally {
      try {
        release.run();
      } finally {
        heap.close();
      }
    }
  }
}
