package dev.quiver.server.sql;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.parquet.predicate.Constant;
import dev.quiver.parquet.predicate.Predicate;
import dev.quiver.server.exec.SortKey;
import dev.quiver.server.expression.Expression;
import dev.quiver.server.physical.PhysicalPlan;
import java.util.List;
import java.util.OptionalLong;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A query over several inputs (joins, set operations, subqueries), planned straight into its
 * one-node physical plan: every scan in it carries its own pushdown, and ORDER BY and LIMIT are
 * operators in the plan. The single-table views of {@link Query} describe its first dataset only
 * (the one a ticket for it names); {@link #datasets()} lists all it reads, none for a query of
 * constants or of {@code information_schema}.
 *
 * @param plan the query's plan on one node, with no exchange
 * @param datasets every dataset the plan scans
 */
public record TreePlan(String sql, PhysicalPlan plan, List<Dataset> datasets) implements Query {
  public TreePlan {
    requireNonNull(sql, "sql is null");
    requireNonNull(plan, "plan is null");
    datasets = List.copyOf(datasets);
  }

  /** The first dataset it reads, or null when it reads none. */
  @Override
  public Dataset dataset() {
    return datasets.isEmpty() ? null : datasets.get(0);
  }

  @Override
  public Predicate filter() {
    return Constant.TRUE;
  }

  @Override
  public Expression residual() {
    return null;
  }

  @Override
  public List<String> scanColumns() {
    return List.of();
  }

  @Override
  public Schema schema() {
    return plan.schema();
  }

  @Override
  public List<SortKey> order() {
    return List.of();
  }

  @Override
  public OptionalLong limit() {
    return OptionalLong.empty();
  }
}
