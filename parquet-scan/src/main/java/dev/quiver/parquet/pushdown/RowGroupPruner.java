package dev.quiver.parquet.pushdown;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.decode.DictionaryPageDecoder;
import dev.quiver.parquet.predicate.Predicate;
import java.util.List;
import java.util.Set;
import org.apache.parquet.column.page.DictionaryPageReadStore;
import org.apache.parquet.filter2.bloomfilterlevel.BloomFilterImpl;
import org.apache.parquet.filter2.columnindex.RowRanges;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.filter2.dictionarylevel.DictionaryFilter;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.filter2.statisticslevel.StatisticsFilter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.parquet.internal.column.columnindex.OffsetIndex;
import org.apache.parquet.internal.filter2.columnindex.ColumnIndexFilter;
import org.apache.parquet.internal.filter2.columnindex.ColumnIndexStore;
import org.apache.parquet.internal.hadoop.metadata.IndexReference;

/**
 * Decides, level by level and cheapest first, whether a row group can hold a row the filter
 * accepts, and which of its pages to read.
 */
public final class RowGroupPruner {
  private final Predicate predicate;
  private final FilterPredicate filter;
  private final Set<ColumnPath> readColumns;
  private final boolean pageSkipping;

  /**
   * @param predicate the normalized predicate, bound to the file
   * @param filter its translation for the file, or null when nothing can prune
   * @param readColumns the columns the scan reads (the file reader's requested schema)
   * @param pageSkipping whether pages may be skipped; off when a read column is repeated, whose
   *     records the reader must see whole
   */
  public RowGroupPruner(
      Predicate predicate,
      FilterPredicate filter,
      Set<ColumnPath> readColumns,
      boolean pageSkipping) {
    this.pageSkipping = pageSkipping;
    this.predicate = requireNonNull(predicate, "predicate is null");
    this.filter = filter;
    this.readColumns = Set.copyOf(requireNonNull(readColumns, "readColumns is null"));
  }

  /** Plans row group {@code index} of the file {@code reader} reads. */
  public RowGroupPlan plan(ParquetFileReader reader, int index) {
    BlockMetaData block = reader.getRowGroups().get(index);
    long chunkBytes = chunkBytes(block);
    if (filter == null) {
      return new RowGroupPlan(null, null, 0, 0, chunkBytes);
    }
    List<ColumnChunkMetaData> columns = block.getColumns();
    if (StatisticsFilter.canDrop(filter, columns)
        || FloatingPointStatistics.canDrop(predicate, block)) {
      return new RowGroupPlan(PruningLevel.STATISTICS, null, 0, 0, 0);
    }
    DictionaryPageReadStore dictionaries = reader.getDictionaryReader(block);
    DictionaryPageReadStore checked =
        column -> DictionaryPageDecoder.checked(column, dictionaries.readDictionaryPage(column));
    if (DictionaryFilter.canDrop(filter, columns, checked)) {
      return new RowGroupPlan(PruningLevel.DICTIONARY, null, 0, 0, 0);
    }
    if (hasBloomFilter(columns)
        && BloomFilterImpl.canDrop(filter, columns, reader.getBloomFilterDataReader(block))) {
      return new RowGroupPlan(PruningLevel.BLOOM_FILTER, null, 0, 0, 0);
    }
    if (!pageSkipping || !hasOffsetIndexes(block)) {
      return new RowGroupPlan(null, null, 0, 0, chunkBytes);
    }
    ColumnIndexStore indexes = reader.getColumnIndexStore(index);
    RowRanges rows =
        ColumnIndexFilter.calculateRowRanges(
            FilterCompat.get(filter), indexes, readColumns, block.getRowCount());
    long pages = 0;
    long pagesSkipped = 0;
    long bytes = 0;
    for (ColumnChunkMetaData chunk : columns) {
      if (!readColumns.contains(chunk.getPath())) {
        continue;
      }
      OffsetIndex offsets = indexes.getOffsetIndex(chunk.getPath());
      long firstDataPage = offsets.getPageCount() == 0 ? 0 : offsets.getOffset(0);
      bytes += Math.max(0, firstDataPage - chunk.getStartingPos());
      for (int page = 0; page < offsets.getPageCount(); page++) {
        pages++;
        long first = offsets.getFirstRowIndex(page);
        long last = offsets.getLastRowIndex(page, block.getRowCount());
        if (rows.isOverlapping(first, last)) {
          bytes += offsets.getCompressedPageSize(page);
        } else {
          pagesSkipped++;
        }
      }
    }
    if (rows.rowCount() == 0) {
      return new RowGroupPlan(PruningLevel.PAGE_INDEX, null, pages, pagesSkipped, 0);
    }
    return new RowGroupPlan(
        null, rows.rowCount() == block.getRowCount() ? null : rows, pages, pagesSkipped, bytes);
  }

  private long chunkBytes(BlockMetaData block) {
    long bytes = 0;
    for (ColumnChunkMetaData chunk : block.getColumns()) {
      if (readColumns.contains(chunk.getPath())) {
        bytes += chunk.getTotalSize();
      }
    }
    return bytes;
  }

  private static boolean hasBloomFilter(List<ColumnChunkMetaData> columns) {
    for (ColumnChunkMetaData chunk : columns) {
      if (chunk.getBloomFilterOffset() >= 0) {
        return true;
      }
    }
    return false;
  }

  private boolean hasOffsetIndexes(BlockMetaData block) {
    boolean any = false;
    for (ColumnChunkMetaData chunk : block.getColumns()) {
      if (!readColumns.contains(chunk.getPath())) {
        continue;
      }
      IndexReference offsetIndex = chunk.getOffsetIndexReference();
      if (offsetIndex == null) {
        return false;
      }
      any = true;
    }
    return any;
  }
}
