package dev.quiver.server.exec;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.predicate.Comparison;
import dev.quiver.parquet.predicate.ComparisonOperator;
import dev.quiver.parquet.predicate.Constant;
import dev.quiver.parquet.predicate.IsNull;
import dev.quiver.parquet.predicate.Or;
import dev.quiver.parquet.predicate.Predicate;
import dev.quiver.parquet.scan.FileSplit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;

/**
 * What a top-N ({@code ORDER BY k LIMIT n}) tells the scan under it while it runs: once it holds n
 * rows, a row whose first sort key sorts after the n-th row's cannot enter, so the scan may skip
 * it, and skip the row groups and pages whose statistics say all their rows are such (the scan's
 * pushdown does it, with {@code k >= v} for a descending key, {@code k <= v} for an ascending one,
 * or NULL where NULLs sort first). The bound only tightens. Rows with the n-th row's own value
 * stay: later keys may still put them first. Only integer keys take part: floating-point NaN and
 * the orders of other types are not worth the risk of dropping a row the sort would keep.
 *
 * <p>The top-N reads row groups best first ({@link #bestFirst}): on data laid out by the key, the
 * first row group read holds the answer and the bound then rules out every other one unread.
 */
public final class TopNBound {
  private final String column;
  private final SortKey key;
  private volatile Predicate predicate = Constant.TRUE;

  /**
   * @param column the dataset column the first sort key reads, as the scan names it
   * @param key the first sort key, over the top-N's input
   */
  public TopNBound(String column, SortKey key) {
    this.column = requireNonNull(column, "column is null");
    this.key = requireNonNull(key, "key is null");
  }

  /** Whether a first sort key of type {@code type} can bound the scan. */
  public static boolean supports(ArrowType type) {
    return type instanceof ArrowType.Int integer && integer.getIsSigned();
  }

  /** The first sort key, over the top-N's input. */
  public SortKey key() {
    return key;
  }

  /** The rows that may still enter the top-N, as a scan filter; TRUE until it holds n rows. */
  public Predicate predicate() {
    return predicate;
  }

  /** Tightens to the first sort key of the top-N's n-th row: row {@code row} of {@code keys}. */
  public void tighten(FieldVector keys, int row) {
    if (keys.isNull(row) || !(keys instanceof BaseIntVector integers)) {
      return;
    }
    Comparison comparison =
        new Comparison(
            column,
            key.descending() ? ComparisonOperator.GE : ComparisonOperator.LE,
            integers.getValueAsLong(row));
    predicate = key.nullsFirst() ? new Or(List.of(comparison, new IsNull(column))) : comparison;
  }

  /**
   * {@code splits} one row group each, the most promising first: by the key's largest value for a
   * descending key, smallest for an ascending one, as the footers' statistics give them; row groups
   * without statistics last.
   */
  public List<FileSplit> bestFirst(List<FileSplit> splits) {
    record Ranked(FileSplit split, Long bound) {}
    List<Ranked> ranked = new ArrayList<>();
    for (FileSplit split : splits) {
      for (int g = split.firstRowGroup(); g < split.endRowGroup(); g++) {
        FileSplit one = new FileSplit(split.file(), g, g + 1);
        ranked.add(new Ranked(one, statistic(split.file().rowGroups().get(g))));
      }
    }
    Comparator<Long> values =
        key.descending() ? Comparator.<Long>reverseOrder() : Comparator.<Long>naturalOrder();
    ranked.sort(Comparator.comparing(Ranked::bound, Comparator.nullsLast(values)));
    return ranked.stream().map(Ranked::split).toList();
  }

  /** The row group's largest (descending) or smallest (ascending) key, or null when unknown. */
  private Long statistic(BlockMetaData rowGroup) {
    for (ColumnChunkMetaData chunk : rowGroup.getColumns()) {
      if (chunk.getPath().size() != 1 || !chunk.getPath().toArray()[0].equals(column)) {
        continue;
      }
      Statistics<?> statistics = chunk.getStatistics();
      if (statistics == null || !statistics.hasNonNullValue()) {
        return null;
      }
      Object value = key.descending() ? statistics.genericGetMax() : statistics.genericGetMin();
      return value instanceof Number number ? number.longValue() : null;
    }
    return null;
  }
}
