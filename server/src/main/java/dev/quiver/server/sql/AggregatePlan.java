package dev.quiver.server.sql;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.parquet.predicate.Predicate;
import dev.quiver.server.exec.SortKey;
import dev.quiver.server.expression.Expression;
import dev.quiver.shuffle.aggregate.AggregateLayout;
import java.util.List;
import java.util.OptionalLong;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A validated aggregation: {@code SELECT <expressions over keys and aggregates> FROM dataset
 * [WHERE] [GROUP BY] [HAVING] [ORDER BY] [LIMIT]}.
 *
 * <p>Each node scans, filters, computes {@link #inputs()} (the layout's keys and aggregate
 * arguments, by name) and aggregates with {@link #layout()}. The layout's result (keys, then
 * aggregates) is the input of {@link #having()} and {@link #outputs()}; {@link #order()} sorts the
 * outputs.
 *
 * @param inputs the columns the aggregation reads, computed over the scan batch and named as the
 *     layout's fields; empty when the layout reads the scan's columns as they are
 * @param outer for DISTINCT aggregates, the aggregation of the layout's result (whose groups are
 *     then distinct pairs of keys and argument) that gives the answer, on the coordinator; null for
 *     none. HAVING and the outputs then read the outer result.
 * @param having the HAVING condition over the layout's (or the outer) result; null for none
 * @param outputs the computed columns over the layout's result: the answer's first, then any that
 *     only ORDER BY uses
 * @param outputCount how many outputs the answer has
 */
public record AggregatePlan(
    String sql,
    Dataset dataset,
    List<String> scanColumns,
    Predicate filter,
    Expression residual,
    List<Projection> inputs,
    AggregateLayout layout,
    AggregateLayout outer,
    Expression having,
    List<Projection> outputs,
    List<SortKey> order,
    OptionalLong limit,
    int outputCount)
    implements Query {
  public AggregatePlan {
    requireNonNull(sql, "sql is null");
    requireNonNull(dataset, "dataset is null");
    scanColumns = List.copyOf(scanColumns);
    requireNonNull(filter, "filter is null");
    inputs = List.copyOf(inputs);
    requireNonNull(layout, "layout is null");
    outputs = List.copyOf(outputs);
    order = List.copyOf(order);
    requireNonNull(limit, "limit is null");
  }

  @Override
  public Schema schema() {
    return new Schema(outputs.subList(0, outputCount).stream().map(Projection::field).toList());
  }

  /** The schema of all outputs, hidden sort columns included. */
  public Schema outputSchema() {
    return new Schema(outputs.stream().map(Projection::field).toList());
  }

  /** The fields the aggregation reads: the layout's keys and aggregate inputs. */
  public List<Field> inputFields() {
    return inputs.stream().map(Projection::field).toList();
  }
}
