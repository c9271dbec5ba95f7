package dev.quiver.server.sql;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.parquet.predicate.Predicate;
import dev.quiver.shuffle.aggregate.AggregateCall;
import dev.quiver.shuffle.aggregate.AggregateLayout;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A validated {@code SELECT <keys and aggregates> FROM dataset [WHERE] [GROUP BY] [HAVING] [ORDER
 * BY] [LIMIT]}.
 *
 * <p>The aggregation itself is {@link #layout()}: its result has the group keys under their column
 * names followed by the aggregates as {@code agg0, agg1, ...} (including those only HAVING or ORDER
 * BY use). {@link #having()} filters that result, {@link #order()} sorts it, and {@link #outputs()}
 * picks and names its columns for the client.
 *
 * @param filter the WHERE clause, applied while scanning
 * @param having the HAVING clause over the layout's result columns
 * @param outputs the select list, as columns of the layout's result
 * @param order sort keys over the layout's result columns; empty for no order
 */
public record AggregatePlan(
    String sql,
    Dataset dataset,
    Predicate filter,
    AggregateLayout layout,
    Predicate having,
    List<Output> outputs,
    List<SortKey> order,
    OptionalLong limit)
    implements Query {
  public AggregatePlan {
    requireNonNull(sql, "sql is null");
    requireNonNull(dataset, "dataset is null");
    requireNonNull(filter, "filter is null");
    requireNonNull(layout, "layout is null");
    requireNonNull(having, "having is null");
    outputs = List.copyOf(outputs);
    order = List.copyOf(order);
    requireNonNull(limit, "limit is null");
  }

  /**
   * One column of the answer.
   *
   * @param name its name for the client
   * @param column its index in the layout's result
   */
  public record Output(String name, int column) {}

  /**
   * One ORDER BY item. NULLs sort last unless asked otherwise, as in DuckDB.
   *
   * @param column the index in the layout's result it sorts by
   */
  public record SortKey(int column, boolean descending, boolean nullsFirst) {}

  @Override
  public List<String> scanColumns() {
    Set<String> columns = new LinkedHashSet<>();
    layout.keys().forEach(key -> columns.add(key.getName()));
    for (AggregateCall call : layout.calls()) {
      if (call.input() != null) {
        columns.add(call.input().getName());
      }
    }
    return List.copyOf(columns);
  }

  @Override
  public Schema schema() {
    List<Field> result = layout.resultSchema().getFields();
    return new Schema(
        outputs.stream()
            .map(
                o -> {
                  Field field = result.get(o.column());
                  return new Field(o.name(), field.getFieldType(), field.getChildren());
                })
            .toList());
  }
}
