package dev.quiver.shuffle.aggregate;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The shape of one aggregation: its group keys and aggregates, and the two schemas that follow from
 * them.
 *
 * <p>The <em>partial</em> schema is what peers exchange: the keys as {@code key0, key1, ...}
 * followed by each aggregate's state ({@code agg0.sum}, {@code agg0.count}, ...). The
 * <em>result</em> schema is the keys under their own names followed by one column per aggregate.
 *
 * @param keys the group-by columns, as the input batches name and type them
 * @param calls the aggregates, in result order
 */
public record AggregateLayout(List<Field> keys, List<AggregateCall> calls) {
  public AggregateLayout {
    keys = List.copyOf(keys);
    calls = List.copyOf(calls);
  }

  /** The schema of partial results, as exchanged between peers. */
  public Schema partialSchema() {
    List<Field> fields = new ArrayList<>();
    for (int k = 0; k < keys.size(); k++) {
      Field key = keys.get(k);
      fields.add(new Field("key" + k, key.getFieldType(), key.getChildren()));
    }
    for (int a = 0; a < calls.size(); a++) {
      fields.addAll(calls.get(a).stateFields("agg" + a));
    }
    return new Schema(fields);
  }

  /** The schema of final results: keys by name, then aggregates. */
  public Schema resultSchema() {
    List<Field> fields = new ArrayList<>(keys);
    calls.forEach(call -> fields.add(call.resultField()));
    return new Schema(fields);
  }
}
