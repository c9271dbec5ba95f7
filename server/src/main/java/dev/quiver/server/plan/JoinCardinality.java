package dev.quiver.server.plan;

import dev.quiver.parquet.dataset.DataFile;
import dev.quiver.parquet.dataset.Dataset;
import java.util.List;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Join;
import org.apache.calcite.rel.core.JoinInfo;
import org.apache.calcite.rel.core.JoinRelType;
import org.apache.calcite.rel.metadata.BuiltInMetadata;
import org.apache.calcite.rel.metadata.ChainedRelMetadataProvider;
import org.apache.calcite.rel.metadata.DefaultRelMetadataProvider;
import org.apache.calcite.rel.metadata.ReflectiveRelMetadataProvider;
import org.apache.calcite.rel.metadata.RelColumnOrigin;
import org.apache.calcite.rel.metadata.RelMdRowCount;
import org.apache.calcite.rel.metadata.RelMdUtil;
import org.apache.calcite.rel.metadata.RelMetadataProvider;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;

/**
 * How many rows an inner equi-join is estimated to give, for join ordering: the product of its
 * inputs' rows divided by the distinct values of its most selective key, where Calcite alone would
 * guess a fixed selectivity per equality (and so prefer joining two tables on a low-cardinality
 * column, as TPC-H's Q5 {@code c_nationkey = s_nationkey}, to a foreign key). A key's distinct
 * values are estimated from the table column it comes from: for an integer or date column whose
 * footers are loaded, the width of its min/max range; otherwise as many as the rows (a key). Public
 * only because Calcite calls its methods reflectively.
 */
public final class JoinCardinality extends RelMdRowCount {
  /** Calcite's metadata with this estimate in place of its own for joins. */
  static final RelMetadataProvider PROVIDER =
      ChainedRelMetadataProvider.of(
          List.of(
              ReflectiveRelMetadataProvider.reflectiveSource(
                  new JoinCardinality(), BuiltInMetadata.RowCount.Handler.class),
              DefaultRelMetadataProvider.INSTANCE));

  @Override
  public Double getRowCount(Join join, RelMetadataQuery mq) {
    JoinInfo info = join.analyzeCondition();
    if (join.getJoinType() != JoinRelType.INNER || info.leftKeys.isEmpty()) {
      return super.getRowCount(join, mq);
    }
    Double left = mq.getRowCount(join.getLeft());
    Double right = mq.getRowCount(join.getRight());
    if (left == null || right == null) {
      return super.getRowCount(join, mq);
    }
    double distinct = 1;
    for (int k = 0; k < info.leftKeys.size(); k++) {
      double keyValues =
          Math.max(
              distinctValues(join.getLeft(), info.leftKeys.get(k), left, mq),
              distinctValues(join.getRight(), info.rightKeys.get(k), right, mq));
      distinct = Math.max(distinct, keyValues);
    }
    double rows = left * right / distinct;
    if (!info.isEqui()) {
      rows *= RelMdUtil.guessSelectivity(info.getRemaining(join.getCluster().getRexBuilder()));
    }
    return Math.max(1, rows);
  }

  /** The distinct values of column {@code column} of {@code rel}, at most {@code rows}. */
  private static double distinctValues(RelNode rel, int column, double rows, RelMetadataQuery mq) {
    RelColumnOrigin origin = mq.getColumnOrigin(rel, column);
    if (origin == null || origin.isDerived()) {
      return rows;
    }
    RelOptTable table = origin.getOriginTable();
    CatalogSchema.DatasetTable dataset = table.unwrap(CatalogSchema.DatasetTable.class);
    if (dataset == null) {
      return rows;
    }
    String name = table.getRowType().getFieldNames().get(origin.getOriginColumnOrdinal());
    double range = valueRange(dataset.dataset(), name);
    return Math.max(1, Math.min(rows, range));
  }

  /**
   * How many integer values lie between a column's least and greatest value in the footers, when
   * every footer is loaded and has them; else infinity.
   */
  private static double valueRange(Dataset dataset, String column) {
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (DataFile file : dataset.files()) {
      if (!file.footerLoaded()) {
        return Double.POSITIVE_INFINITY;
      }
      for (BlockMetaData rowGroup : file.rowGroups()) {
        ColumnChunkMetaData chunk = chunk(rowGroup, column);
        Statistics<?> statistics = chunk == null ? null : chunk.getStatistics();
        if (statistics == null
            || !statistics.hasNonNullValue()
            || !(statistics.genericGetMin() instanceof Number low)
            || !(statistics.genericGetMax() instanceof Number high)
            || low instanceof Float
            || low instanceof Double) {
          return Double.POSITIVE_INFINITY;
        }
        min = Math.min(min, low.longValue());
        max = Math.max(max, high.longValue());
      }
    }
    return min > max ? Double.POSITIVE_INFINITY : (double) max - min + 1;
  }

  private static ColumnChunkMetaData chunk(BlockMetaData rowGroup, String column) {
    for (ColumnChunkMetaData chunk : rowGroup.getColumns()) {
      if (chunk.getPath().size() == 1 && chunk.getPath().toArray()[0].equals(column)) {
        return chunk;
      }
    }
    return null;
  }
}
