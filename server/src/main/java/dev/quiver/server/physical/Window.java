package dev.quiver.server.physical;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.exec.SortKey;
import dev.quiver.server.exec.WindowCall;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Computes window functions over the partitions of its input (rows with equal {@code
 * partitionKeys}, all rows when there are none), each ordered by {@code orderKeys}. Its output is
 * the input's columns followed by one column per call. It needs every row of a partition in one
 * task: over a hash repartition by its partition keys, or over all its input gathered.
 *
 * @param partitionKeys input columns
 * @param orderKeys over input columns
 */
public record Window(
    PhysicalPlan input,
    List<Integer> partitionKeys,
    List<SortKey> orderKeys,
    List<WindowCall> calls)
    implements UnaryPlan {
  public Window {
    requireNonNull(input, "input is null");
    partitionKeys = List.copyOf(partitionKeys);
    orderKeys = List.copyOf(orderKeys);
    calls = List.copyOf(calls);
    if (calls.isEmpty()) {
      throw new IllegalArgumentException("A window computes at least one function");
    }
  }

  @Override
  public Schema schema() {
    List<Field> fields = new ArrayList<>(input.schema().getFields());
    calls.forEach(call -> fields.add(call.field()));
    return new Schema(fields);
  }

  @Override
  public PhysicalPlan withChildren(List<PhysicalPlan> children) {
    Operators.requireCount(this, children, 1);
    return new Window(children.get(0), partitionKeys, orderKeys, calls);
  }
}
