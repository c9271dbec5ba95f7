package dev.quiver.server.sql;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.parquet.predicate.Constant;
import dev.quiver.parquet.predicate.Predicate;
import java.util.List;
import java.util.OptionalLong;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A validated {@code SELECT ... FROM dataset [WHERE ...] [LIMIT n]}.
 *
 * @param sql the text it was planned from
 * @param scanColumns the dataset columns the projections read, each once
 * @param filter the rows to return; {@link Constant#TRUE} for all
 * @param projections the result columns, in order
 * @param limit the most rows to return, if limited
 */
public record QueryPlan(
    String sql,
    Dataset dataset,
    List<String> scanColumns,
    Predicate filter,
    List<Projection> projections,
    OptionalLong limit)
    implements Query {
  public QueryPlan {
    requireNonNull(sql, "sql is null");
    requireNonNull(dataset, "dataset is null");
    scanColumns = List.copyOf(scanColumns);
    requireNonNull(filter, "filter is null");
    projections = List.copyOf(projections);
    requireNonNull(limit, "limit is null");
  }

  /** A plain read of {@code columns} of every row. */
  public static QueryPlan columns(Dataset dataset, List<String> columns) {
    List<Projection> projections =
        columns.stream()
            .map(c -> new Projection(c, new Expression.ColumnRef(dataset.field(c).orElseThrow())))
            .toList();
    return new QueryPlan("", dataset, columns, Constant.TRUE, projections, OptionalLong.empty());
  }

  @Override
  public Schema schema() {
    return new Schema(projections.stream().map(Projection::field).toList());
  }

  /** Whether the scan's batches are the result as they are: plain columns, in scan order. */
  public boolean projectsScanAsIs() {
    if (projections.size() != scanColumns.size()) {
      return false;
    }
    for (int i = 0; i < projections.size(); i++) {
      Projection projection = projections.get(i);
      if (!(projection.expression() instanceof Expression.ColumnRef ref)
          || !ref.field().getName().equals(scanColumns.get(i))
          || !projection.name().equals(ref.field().getName())) {
        return false;
      }
    }
    return true;
  }

  /**
   * One result column.
   *
   * @param name its name in the result
   */
  public record Projection(String name, Expression expression) {
    public Field field() {
      return new Field(
          name,
          new FieldType(true, expression.type(), null),
          expression instanceof Expression.ColumnRef ref ? ref.field().getChildren() : null);
    }
  }
}
