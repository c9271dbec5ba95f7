package dev.quiver.parquet.scan;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.dataset.InvalidDatasetException;
import dev.quiver.parquet.decode.ColumnDecoder;
import dev.quiver.parquet.decode.ColumnDecoders;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.VersionParser;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.impl.ColumnReaderImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Reads one {@link FileSplit} into Arrow batches, decoding only the requested columns.
 *
 * <p>The reader owns one {@link VectorSchemaRoot}, refilled by every {@link #next()}; callers read
 * it between calls and never close it. Closing the reader releases the root and the file.
 *
 * <pre>{@code
 * try (ParquetBatchReader reader = ParquetBatchReader.open(split, schema, request, allocator)) {
 *   while (reader.next()) {
 *     consume(reader.root());
 *   }
 * }
 * }</pre>
 */
public final class ParquetBatchReader implements AutoCloseable {
  private static final PrimitiveConverter NO_CONVERTER = new PrimitiveConverter() {};

  private final FileSplit split;
  private final ScanRequest request;
  private final ParquetFileReader fileReader;
  private final VectorSchemaRoot root;
  private final VersionParser.ParsedVersion writerVersion;
  private final String fileName;

  private int nextRowGroup;
  private long rowsLeftInRowGroup;
  private List<ColumnDecoder> decoders = List.of();
  private int rowsPerBatch;

  private long rowGroupsRead;
  private long bytesRead;
  private long rowsDecoded;
  private long batches;

  private ParquetBatchReader(
      FileSplit split,
      Schema outputSchema,
      ScanRequest request,
      BufferAllocator allocator,
      ParquetFileReader fileReader) {
    this.split = split;
    this.request = request;
    this.fileReader = fileReader;
    this.fileName = split.file().path().toString();
    this.writerVersion = parseWriterVersion(split.file().footer().getFileMetaData().getCreatedBy());
    this.root = VectorSchemaRoot.create(outputSchema, allocator);
    this.nextRowGroup = split.firstRowGroup();
    this.rowsPerBatch = request.maxBatchRows();
  }

  /**
   * Opens a split for reading.
   *
   * @param datasetSchema the dataset's unified schema; the output has its requested columns
   * @param allocator where batches are allocated; must outlive the reader
   */
  public static ParquetBatchReader open(
      FileSplit split, Schema datasetSchema, ScanRequest request, BufferAllocator allocator) {
    requireNonNull(split, "split is null");
    requireNonNull(datasetSchema, "datasetSchema is null");
    requireNonNull(request, "request is null");
    requireNonNull(allocator, "allocator is null");
    List<Field> outputFields = new ArrayList<>(request.columns().size());
    for (String column : request.columns()) {
      outputFields.add(
          datasetSchema.getFields().stream()
              .filter(f -> f.getName().equals(column))
              .findFirst()
              .orElseThrow(
                  () -> new IllegalArgumentException("Unknown column '" + column + "' in scan")));
    }
    ParquetFileReader fileReader = openFile(split);
    try {
      fileReader.setRequestedSchema(projection(split, request.columns()));
      return new ParquetBatchReader(
          split, new Schema(outputFields), request, allocator, fileReader);
    } catch (RuntimeException e) {
      closeQuietly(fileReader, e);
      throw e;
    }
  }

  /** The current batch; valid until the next call to {@link #next()} or {@link #close()}. */
  public VectorSchemaRoot root() {
    return root;
  }

  /**
   * Decodes the next batch into {@link #root()}.
   *
   * @return false when the split is exhausted
   */
  public boolean next() {
    try {
      while (rowsLeftInRowGroup == 0) {
        if (nextRowGroup >= split.endRowGroup()) {
          root.setRowCount(0);
          return false;
        }
        startRowGroup(nextRowGroup++);
      }
      int rows = (int) Math.min(rowsPerBatch, rowsLeftInRowGroup);
      for (FieldVector vector : root.getFieldVectors()) {
        vector.setInitialCapacity(rows);
        vector.allocateNew();
      }
      for (ColumnDecoder decoder : decoders) {
        decoder.decode(0, rows);
      }
      long batchBytes = 0;
      for (FieldVector vector : root.getFieldVectors()) {
        vector.setValueCount(rows);
        batchBytes += vector.getBufferSize();
      }
      root.setRowCount(rows);
      rowsLeftInRowGroup -= rows;
      rowsDecoded += rows;
      batches++;
      adaptBatchRows(rows, batchBytes);
      return true;
    } catch (IOException e) {
      throw new InvalidDatasetException("Cannot read " + fileName + ": " + e.getMessage(), e);
    } catch (org.apache.parquet.io.ParquetDecodingException e) {
      throw new InvalidDatasetException("Cannot decode " + fileName + ": " + e.getMessage(), e);
    }
  }

  /** What this reader has done so far. */
  public ScanStatistics statistics() {
    return new ScanStatistics(1, rowGroupsRead, bytesRead, rowsDecoded, batches);
  }

  @Override
  public void close() {
    try {
      root.close();
    } finally {
      try {
        fileReader.close();
      } catch (IOException e) {
        throw new InvalidDatasetException("Cannot close " + fileName, e);
      }
    }
  }

  private void startRowGroup(int index) throws IOException {
    BlockMetaData metadata = split.file().rowGroups().get(index);
    PageReadStore pages = fileReader.readRowGroup(index);
    rowGroupsRead++;
    if (pages == null) {
      rowsLeftInRowGroup = 0;
      return;
    }
    rowsLeftInRowGroup = pages.getRowCount();
    MessageType fileSchema = split.file().footer().getFileMetaData().getSchema();
    List<ColumnDecoder> next = new ArrayList<>(root.getFieldVectors().size());
    for (FieldVector vector : root.getFieldVectors()) {
      String column = vector.getField().getName();
      if (!fileSchema.containsField(column)) {
        next.add(ColumnDecoders.forMissingColumn(vector));
        continue;
      }
      ColumnDescriptor descriptor = fileSchema.getColumnDescription(new String[] {column});
      ColumnReaderImpl reader =
          new ColumnReaderImpl(
              descriptor, pages.getPageReader(descriptor), NO_CONVERTER, writerVersion);
      next.add(ColumnDecoders.forColumn(reader, vector, fileName));
      bytesRead += chunkBytes(metadata, column);
    }
    decoders = next;
  }

  private static long chunkBytes(BlockMetaData rowGroup, String column) {
    for (ColumnChunkMetaData chunk : rowGroup.getColumns()) {
      if (chunk.getPath().size() == 1 && chunk.getPath().toArray()[0].equals(column)) {
        return chunk.getTotalSize();
      }
    }
    return 0;
  }

  private void adaptBatchRows(int rows, long batchBytes) {
    if (batchBytes <= 0) {
      return;
    }
    long fitting = request.targetBatchBytes() * rows / batchBytes;
    rowsPerBatch = (int) Math.max(1, Math.min(request.maxBatchRows(), fitting));
  }

  private static MessageType projection(FileSplit split, List<String> columns) {
    MessageType fileSchema = split.file().footer().getFileMetaData().getSchema();
    List<Type> projected = new ArrayList<>();
    for (String column : columns) {
      if (fileSchema.containsField(column)) {
        projected.add(fileSchema.getType(column));
      }
    }
    return new MessageType(fileSchema.getName(), projected);
  }

  private static ParquetFileReader openFile(FileSplit split) {
    LocalInputFile input = new LocalInputFile(split.file().path());
    try {
      return new ParquetFileReader(
          input, split.file().footer(), ParquetReadOptions.builder().build(), input.newStream());
    } catch (IOException e) {
      throw new InvalidDatasetException(
          "Cannot open " + split.file().path() + ": " + e.getMessage(), e);
    }
  }

  private static VersionParser.ParsedVersion parseWriterVersion(String createdBy) {
    try {
      return createdBy == null ? null : VersionParser.parse(createdBy);
    } catch (VersionParser.VersionParseException | RuntimeException e) {
      return null;
    }
  }

  private static void closeQuietly(AutoCloseable closeable, Throwable failure) {
    try {
      closeable.close();
    } catch (Exception e) {
      failure.addSuppressed(e);
    }
  }
}
