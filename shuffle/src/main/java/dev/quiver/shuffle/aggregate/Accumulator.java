package dev.quiver.shuffle.aggregate;

import java.util.List;
import org.apache.arrow.vector.FieldVector;

/**
 * The running state of one aggregate for every group, kept in Arrow vectors indexed by group id.
 *
 * <p>Group ids are dense, from 0, and every id passed to {@link #update} or {@link #merge} is below
 * the count last passed to {@link #ensureGroups}.
 */
interface Accumulator extends AutoCloseable {
  /** Makes room for groups {@code [0, groups)}; new groups start empty. */
  void ensureGroups(int groups);

  /**
   * Folds rows {@code [0, rows)} of an input column into their groups.
   *
   * @param input the column the aggregate reads; null for {@code COUNT(*)}
   * @param groups the group id of each row
   */
  void update(FieldVector input, int[] groups, int rows);

  /** Folds partial states (this aggregate's state columns of a partial batch) into their groups. */
  void merge(List<FieldVector> state, int[] groups, int rows);

  /**
   * Moves the state of groups {@code [0, groupCount)} into {@code targets}, typed as {@link
   * AggregateCall#stateFields}. The accumulator is empty afterwards.
   */
  void exportState(List<FieldVector> targets, int groupCount);

  /** Writes the final value of groups {@code [0, groupCount)} into {@code target}. */
  void exportResult(FieldVector target, int groupCount);

  /** Bytes of state kept on the heap rather than in Arrow buffers (e.g. string MIN/MAX). */
  default long heapBytes() {
    return 0;
  }

  @Override
  void close();
}
