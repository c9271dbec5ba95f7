package dev.quiver.parquet.pushdown;

import dev.quiver.parquet.predicate.And;
import dev.quiver.parquet.predicate.Comparison;
import dev.quiver.parquet.predicate.InList;
import dev.quiver.parquet.predicate.Leaf;
import dev.quiver.parquet.predicate.Or;
import dev.quiver.parquet.predicate.Predicate;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * Row-group pruning by the min/max of FLOAT and DOUBLE columns, which parquet-java's statistics
 * filter no longer uses unless the writer also recorded a NaN count (DuckDB, and parquet-java
 * before 1.15, do not).
 *
 * <p>Safe without a NaN count because in Quiver's semantics NaN satisfies no {@code =}, {@code <},
 * {@code <=}, {@code >}, {@code >=} or {@code IN}: whether a writer left NaN out of min/max or not,
 * a row group whose non-NaN values all fall outside the range holds no matching row. {@code <>}
 * (which NaN satisfies) is never pruned here, nor is a chunk whose min or max is NaN.
 */
final class FloatingPointStatistics {
  private FloatingPointStatistics() {}

  /** Whether no row of {@code block} can satisfy the normalized {@code predicate}. */
  static boolean canDrop(Predicate predicate, BlockMetaData block) {
    if (predicate instanceof And and) {
      return and.terms().stream().anyMatch(t -> canDrop(t, block));
    }
    if (predicate instanceof Or or) {
      return or.terms().stream().allMatch(t -> canDrop(t, block));
    }
    if (!(predicate instanceof Comparison) && !(predicate instanceof InList)) {
      return false;
    }
    ColumnChunkMetaData chunk = chunk(block, ((Leaf) predicate).column());
    if (chunk == null) {
      return false;
    }
    PrimitiveTypeName type = chunk.getPrimitiveType().getPrimitiveTypeName();
    if (type != PrimitiveTypeName.DOUBLE && type != PrimitiveTypeName.FLOAT) {
      return false;
    }
    Statistics<?> statistics = chunk.getStatistics();
    if (statistics == null || statistics.isEmpty() || !statistics.hasNonNullValue()) {
      return false;
    }
    double min = ((Number) statistics.genericGetMin()).doubleValue();
    double max = ((Number) statistics.genericGetMax()).doubleValue();
    if (Double.isNaN(min) || Double.isNaN(max)) {
      return false;
    }
    if (predicate instanceof Comparison c) {
      double k = (Double) c.value();
      return switch (c.operator()) {
        case EQ -> k < min || k > max;
        case NE -> false;
        case LT -> !(min < k);
        case LE -> !(min <= k);
        case GT -> !(max > k);
        case GE -> !(max >= k);
      };
    }
    for (Object value : ((InList) predicate).values()) {
      double k = (Double) value;
      if (k >= min && k <= max) {
        return false;
      }
    }
    return true;
  }

  private static ColumnChunkMetaData chunk(BlockMetaData block, String column) {
    for (ColumnChunkMetaData chunk : block.getColumns()) {
      if (chunk.getPath().size() == 1 && chunk.getPath().toArray()[0].equals(column)) {
        return chunk;
      }
    }
    return null;
  }
}
