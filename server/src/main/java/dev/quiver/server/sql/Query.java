package dev.quiver.server.sql;

import dev.quiver.parquet.dataset.DataFile;
import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.parquet.predicate.Constant;
import dev.quiver.parquet.predicate.Predicate;
import dev.quiver.parquet.predicate.Predicates;
import dev.quiver.server.exec.SortKey;
import dev.quiver.server.expression.Expression;
import java.util.List;
import java.util.OptionalLong;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A planned query over one dataset: a scan ({@link QueryPlan}) or an aggregation ({@link
 * AggregatePlan}). Both start the same way: the scan reads {@link #scanColumns()} with {@link
 * #filter()} pushed down into Parquet, and {@link #residual()} filters what the scan cannot.
 */
public sealed interface Query permits QueryPlan, AggregatePlan, TreePlan, Explain {
  /** The text it was planned from. */
  String sql();

  Dataset dataset();

  /** Every dataset the query reads: the caller must be allowed to read each. */
  default List<Dataset> datasets() {
    return List.of(dataset());
  }

  /** The rows the scan reads, pushed down to Parquet; {@link Constant#TRUE} for all. */
  Predicate filter();

  /**
   * The part of WHERE the scan cannot evaluate, over the scan's batch ({@code scanColumns} in
   * order); null when there is none.
   */
  Expression residual();

  /** The dataset columns the scan hands on, each once; filter-only columns are not among them. */
  List<String> scanColumns();

  /** The result's schema. */
  Schema schema();

  /** ORDER BY over the computed columns; empty for none. */
  List<SortKey> order();

  /** The most rows to return, if limited. */
  OptionalLong limit();

  /**
   * The files the filter can match, judged by their partition values alone: the others are skipped
   * before any of their bytes are read.
   */
  default List<DataFile> candidateFiles() {
    return candidateFiles(dataset(), filter());
  }

  /** The files of {@code dataset} that {@code filter} can match, by their partition values. */
  static List<DataFile> candidateFiles(Dataset dataset, Predicate filter) {
    Predicate normalized = Predicates.normalize(filter);
    return dataset.files().stream()
        .filter(f -> !Predicates.bind(normalized, f.partitionValues()).equals(Constant.FALSE))
        .toList();
  }
}
