package dev.quiver.server.sql;

import dev.quiver.parquet.dataset.DataFile;
import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.parquet.predicate.Constant;
import dev.quiver.parquet.predicate.Predicate;
import dev.quiver.parquet.predicate.Predicates;
import java.util.List;
import java.util.OptionalLong;
import org.apache.arrow.vector.types.pojo.Schema;

/** A planned query: a scan ({@link QueryPlan}) or an aggregation ({@link AggregatePlan}). */
public sealed interface Query permits QueryPlan, AggregatePlan {
  /** The text it was planned from. */
  String sql();

  Dataset dataset();

  /** The rows the query reads; {@link Constant#TRUE} for all. */
  Predicate filter();

  /** The dataset columns the scan reads, each once. */
  List<String> scanColumns();

  /** The result's schema. */
  Schema schema();

  /** The most rows to return, if limited. */
  OptionalLong limit();

  /**
   * The files the filter can match, judged by their partition values alone: the others are skipped
   * before any of their bytes are read.
   */
  default List<DataFile> candidateFiles() {
    Predicate normalized = Predicates.normalize(filter());
    return dataset().files().stream()
        .filter(f -> !Predicates.bind(normalized, f.partitionValues()).equals(Constant.FALSE))
        .toList();
  }
}
