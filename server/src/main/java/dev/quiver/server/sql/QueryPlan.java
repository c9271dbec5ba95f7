package dev.quiver.server.sql;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.parquet.predicate.Constant;
import dev.quiver.parquet.predicate.Predicate;
import dev.quiver.server.exec.SortKey;
import dev.quiver.server.expression.Expression;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A validated {@code SELECT <expressions> FROM dataset [WHERE] [ORDER BY] [LIMIT]}: scan, filter,
 * compute the projections, sort, limit.
 *
 * @param projections the computed columns over the scan batch: the result's columns first, then any
 *     that only ORDER BY uses
 * @param outputCount how many of the projections the result has
 */
public record QueryPlan(
    String sql,
    Dataset dataset,
    List<String> scanColumns,
    Predicate filter,
    Expression residual,
    List<Projection> projections,
    List<SortKey> order,
    OptionalLong limit,
    int outputCount)
    implements Query {
  public QueryPlan {
    requireNonNull(sql, "sql is null");
    requireNonNull(dataset, "dataset is null");
    scanColumns = List.copyOf(scanColumns);
    requireNonNull(filter, "filter is null");
    projections = List.copyOf(projections);
    order = List.copyOf(order);
    requireNonNull(limit, "limit is null");
  }

  /** A plain read of {@code columns} of every row. */
  public static QueryPlan columns(Dataset dataset, List<String> columns) {
    List<Projection> projections = new ArrayList<>();
    for (int c = 0; c < columns.size(); c++) {
      var field = dataset.field(columns.get(c)).orElseThrow();
      projections.add(new Projection(field, new Expression.ColumnRef(c, field)));
    }
    return new QueryPlan(
        "",
        dataset,
        columns,
        Constant.TRUE,
        null,
        projections,
        List.of(),
        OptionalLong.empty(),
        projections.size());
  }

  @Override
  public Schema schema() {
    return new Schema(projections.subList(0, outputCount).stream().map(Projection::field).toList());
  }

  /** Whether the scan's batches are the result as they are: its columns, in order, unfiltered. */
  public boolean projectsScanAsIs() {
    if (residual != null || projections.size() != scanColumns.size() || !order.isEmpty()) {
      return false;
    }
    for (int i = 0; i < projections.size(); i++) {
      if (!projections.get(i).isColumn(i)
          || !projections.get(i).name().equals(scanColumns.get(i))) {
        return false;
      }
    }
    return true;
  }
}
