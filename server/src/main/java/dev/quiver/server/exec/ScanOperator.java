package dev.quiver.server.exec;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.predicate.And;
import dev.quiver.parquet.predicate.Constant;
import dev.quiver.parquet.scan.FileSplit;
import dev.quiver.parquet.scan.ParquetBatchReader;
import dev.quiver.parquet.scan.ScanRequest;
import dev.quiver.parquet.scan.ScanStatistics;
import java.util.Iterator;
import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads splits one after the other with every pushdown level of {@link ParquetBatchReader}: only
 * the request's columns are decoded and only rows passing its filter come out. The current batch is
 * the open reader's.
 */
public final class ScanOperator implements Operator {
  private final Iterator<FileSplit> splits;
  private final Schema datasetSchema;
  private final ScanRequest request;
  private final ExecutionContext context;
  private final Schema schema;
  private ParquetBatchReader reader;
  private final TopNBound bound;
  private ScanStatistics finished = ScanStatistics.EMPTY;

  /**
   * @param datasetSchema the dataset's schema, which every split is read as
   * @param request the columns and filter; the batch limits are the context's
   */
  public ScanOperator(
      List<FileSplit> splits, Schema datasetSchema, ScanRequest request, ExecutionContext context) {
    this(List.copyOf(splits).iterator(), datasetSchema, request, context);
  }

  /**
   * Reads the splits {@code splits} hands out, as it hands them out (several scans may share one
   * iterator that takes from a common queue).
   */
  public ScanOperator(
      Iterator<FileSplit> splits,
      Schema datasetSchema,
      ScanRequest request,
      ExecutionContext context) {
    this(splits, datasetSchema, request, context, null);
  }

  /**
   * As {@link #ScanOperator(Iterator, Schema, ScanRequest, ExecutionContext)}, each split read with
   * the top-N's current bound added to the filter, when there is a top-N above.
   *
   * @param bound what the top-N above says may still enter; null for none
   */
  public ScanOperator(
      Iterator<FileSplit> splits,
      Schema datasetSchema,
      ScanRequest request,
      ExecutionContext context,
      TopNBound bound) {
    this.bound = bound;
    this.splits = requireNonNull(splits, "splits is null");
    this.datasetSchema = requireNonNull(datasetSchema, "datasetSchema is null");
    this.context = requireNonNull(context, "context is null");
    this.request =
        new ScanRequest(
            request.columns(),
            request.filter(),
            context.maxBatchRows(),
            context.targetBatchBytes());
    this.schema =
        new Schema(request.columns().stream().map(c -> datasetSchema.findField(c)).toList());
  }

  @Override
  public Schema schema() {
    return schema;
  }

  @Override
  public boolean next() {
    while (true) {
      if (reader == null) {
        if (!splits.hasNext()) {
          return false;
        }
        reader =
            ParquetBatchReader.open(splits.next(), datasetSchema, bounded(), context.allocator());
      }
      context.checkCancelled();
      if (reader.next()) {
        return true;
      }
      closeReader();
    }
  }

  /** The request with the top-N's bound as it stands, for the next split. */
  private ScanRequest bounded() {
    if (bound == null || bound.predicate().equals(Constant.TRUE)) {
      return request;
    }
    return new ScanRequest(
        request.columns(),
        new And(List.of(request.filter(), bound.predicate())),
        request.maxBatchRows(),
        request.targetBatchBytes());
  }

  @Override
  public VectorSchemaRoot root() {
    return reader.root();
  }

  @Override
  public ScanStatistics statistics() {
    return reader == null ? finished : finished.plus(reader.statistics());
  }

  @Override
  public void close() {
    closeReader();
  }

  private void closeReader() {
    if (reader != null) {
      ParquetBatchReader closing = reader;
      reader = null;
      finished = finished.plus(closing.statistics());
      closing.close();
    }
  }
}
