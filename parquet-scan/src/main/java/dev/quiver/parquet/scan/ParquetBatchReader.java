package dev.quiver.parquet.scan;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.dataset.DataFile;
import dev.quiver.parquet.dataset.InvalidDatasetException;
import dev.quiver.parquet.decode.ColumnDecoder;
import dev.quiver.parquet.decode.ColumnDecoders;
import dev.quiver.parquet.decode.DamagedColumnException;
import dev.quiver.parquet.decode.DecodeScratch;
import dev.quiver.parquet.io.ChunkBuffers;
import dev.quiver.parquet.io.PageCodecs;
import dev.quiver.parquet.predicate.BatchFilter;
import dev.quiver.parquet.predicate.Constant;
import dev.quiver.parquet.predicate.Predicate;
import dev.quiver.parquet.predicate.Predicates;
import dev.quiver.parquet.pushdown.ParquetFilters;
import dev.quiver.parquet.pushdown.RowGroupPlan;
import dev.quiver.parquet.pushdown.RowGroupPruner;
import dev.quiver.parquet.schema.UnsupportedParquetFeatureException;
import dev.quiver.parquet.storage.StorageReads;
import dev.quiver.parquet.storage.StoredFile;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.parquet.hadoop.util.HadoopCodecs;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.ParquetDecodingException;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Reads one {@link FileSplit} into Arrow batches: only the requested and filtered columns are
 * decoded, row groups and pages that cannot match the filter are skipped, and the remaining rows
 * are filtered exactly.
 *
 * <p>The reader owns the {@link VectorSchemaRoot} it returns from {@link #root()}, refilled by
 * every {@link #next()}; callers read it between calls and never close it. Closing the reader
 * releases its vectors and the file.
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

  /**
   * Hadoop's codecs read their settings from a Configuration, which parses XML resources when
   * created: one for the process instead of one per opened split. Codec factories themselves stay
   * per reader (their decompressors are not thread-safe).
   */
  private static final Configuration CODEC_CONFIGURATION = new Configuration();

  // Read options are built on a plain configuration: ParquetReadOptions.builder() would create a
  // Hadoop Configuration, and parse its XML resources, for every opened split.

  /**
   * Converters that do nothing, shaped like {@code group}: parquet-column looks a leaf's converter
   * up by path, although our decoders read values from the column readers themselves.
   */
  private static GroupConverter noConverters(GroupType group) {
    Converter[] children = new Converter[group.getFieldCount()];
    for (int i = 0; i < children.length; i++) {
      Type child = group.getType(i);
      children[i] = child.isPrimitive() ? NO_CONVERTER : noConverters(child.asGroupType());
    }
    return new GroupConverter() {
      @Override
      public Converter getConverter(int fieldIndex) {
        return children[fieldIndex];
      }

      @Override
      public void start() {}

      @Override
      public void end() {}
    };
  }

  private final FileSplit split;
  private final ScanRequest request;
  private final String fileName;
  private final ParquetFileReader fileReader;
  private final ChunkBuffers.Lease chunks;
  private final MessageType readSchema;
  private final RowGroupPruner pruner;
  private final BatchFilter filter;
  private final VectorSchemaRoot decoded;
  private final VectorSchemaRoot output;
  private final PartitionColumns partitions;
  private final StorageReads reads;

  private int nextRowGroup;
  private long rowsLeftInRowGroup;
  private PageReadStore pages;
  private List<ColumnDecoder> decoders = List.of();

  /** Each page-decoded column's heap arrays, kept from one row group's decoder to the next. */
  private final Map<String, DecodeScratch> scratch = new HashMap<>();

  private int rowsPerBatch;
  private int[] selection = new int[0];

  private ScanStatistics statistics;

  private ParquetBatchReader(
      FileSplit split,
      ScanRequest request,
      ParquetFileReader fileReader,
      ChunkBuffers.Lease chunks,
      MessageType readSchema,
      RowGroupPruner pruner,
      BatchFilter filter,
      VectorSchemaRoot decoded,
      VectorSchemaRoot output,
      PartitionColumns partitions,
      StorageReads reads) {
    this.split = split;
    this.reads = reads;
    this.request = request;
    this.fileName = split.file().location();
    this.fileReader = fileReader;
    this.chunks = chunks;
    this.readSchema = readSchema;
    this.pruner = pruner;
    this.filter = filter;
    this.decoded = decoded;
    this.output = output;
    this.partitions = partitions;
    this.nextRowGroup = split.firstRowGroup();
    this.rowsPerBatch = request.maxBatchRows();
    // A file split in several counts once, by the split that starts at its first row group.
    boolean countsFile = split.firstRowGroup() == 0;
    this.statistics =
        !countsFile
            ? ScanStatistics.EMPTY
            : fileReader == null ? ScanStatistics.skippedFile() : ScanStatistics.openedFile();
  }

  /**
   * Opens a split for reading. A split whose file cannot hold a matching row (by its partition
   * values, or columns it lacks) is not opened at all.
   *
   * @param datasetSchema the dataset's unified schema; the output has its requested columns
   * @param allocator where batches are allocated; must outlive the reader
   * @throws IllegalArgumentException if a requested or filtered column is not in the schema
   */
  public static ParquetBatchReader open(
      FileSplit split, Schema datasetSchema, ScanRequest request, BufferAllocator allocator) {
    requireNonNull(split, "split is null");
    requireNonNull(datasetSchema, "datasetSchema is null");
    requireNonNull(request, "request is null");
    requireNonNull(allocator, "allocator is null");
    DataFile file = split.file();
    MessageType fileSchema = file.footer().getFileMetaData().getSchema();
    Predicate predicate = boundFilter(file, fileSchema, request.filter());

    List<Field> outputFields = new ArrayList<>(request.columns().size());
    for (String column : request.columns()) {
      outputFields.add(field(datasetSchema, column));
    }
    Set<String> decodedColumns = new LinkedHashSet<>();
    for (String column : request.columns()) {
      if (!file.partitionValues().containsKey(column)) {
        decodedColumns.add(column);
      }
    }
    decodedColumns.addAll(predicate.columns());
    List<Field> decodedFields = new ArrayList<>();
    for (String column : decodedColumns) {
      decodedFields.add(field(datasetSchema, column));
    }
    Schema decodedSchema = new Schema(decodedFields);
    PartitionColumns partitions = new PartitionColumns(file.partitionValues());

    if (predicate.equals(Constant.FALSE)) {
      return new ParquetBatchReader(
          split,
          request,
          null,
          null,
          null,
          null,
          null,
          VectorSchemaRoot.create(decodedSchema, allocator),
          VectorSchemaRoot.create(new Schema(outputFields), allocator),
          partitions,
          new StorageReads());
    }
    MessageType readSchema = projection(fileSchema, decodedColumns);
    Set<ColumnPath> readPaths = new HashSet<>();
    for (ColumnDescriptor column : readSchema.getColumns()) {
      readPaths.add(ColumnPath.get(column.getPath()));
    }
    RowGroupPruner pruner =
        new RowGroupPruner(
            predicate,
            ParquetFilters.translate(predicate, fileSchema).orElse(null),
            readPaths,
            readSchema.getColumns().stream().allMatch(c -> c.getMaxRepetitionLevel() == 0));
    BatchFilter filter =
        predicate.equals(Constant.TRUE) ? null : BatchFilter.compile(predicate, decodedSchema);
    StorageReads reads = new StorageReads();
    ChunkBuffers.Lease chunks = ChunkBuffers.SHARED.lease();
    ParquetFileReader fileReader;
    try {
      fileReader = openFile(split, reads, chunks);
    } catch (RuntimeException e) {
      chunks.close();
      throw e;
    }
    VectorSchemaRoot decoded = null;
    try {
      fileReader.setRequestedSchema(readSchema);
      decoded = VectorSchemaRoot.create(decodedSchema, allocator);
      VectorSchemaRoot output = VectorSchemaRoot.create(new Schema(outputFields), allocator);
      return new ParquetBatchReader(
          split,
          request,
          fileReader,
          chunks,
          readSchema,
          pruner,
          filter,
          decoded,
          output,
          partitions,
          reads);
    } catch (RuntimeException e) {
      if (decoded != null) {
        decoded.close();
      }
      closeQuietly(fileReader, e);
      chunks.close();
      throw e;
    }
  }

  /** The request's filter, normalized and bound to what is constant in this file. */
  private static Predicate boundFilter(DataFile file, MessageType fileSchema, Predicate filter) {
    Predicate normalized = Predicates.normalize(filter);
    Map<String, Object> constants = new HashMap<>(file.partitionValues());
    for (String column : normalized.columns()) {
      if (!constants.containsKey(column) && !fileSchema.containsField(column)) {
        constants.put(column, null);
      }
    }
    return Predicates.bind(normalized, constants);
  }

  private static Field field(Schema schema, String column) {
    return schema.getFields().stream()
        .filter(f -> f.getName().equals(column))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("Unknown column '" + column + "' in scan"));
  }

  /** The current batch; valid until the next call to {@link #next()} or {@link #close()}. */
  public VectorSchemaRoot root() {
    return output;
  }

  /**
   * Fills {@link #root()} with the next batch of matching rows; never an empty batch.
   *
   * @return false when the split is exhausted
   */
  public boolean next() {
    if (fileReader == null) {
      output.setRowCount(0);
      return false;
    }
    try {
      while (true) {
        while (rowsLeftInRowGroup == 0) {
          if (nextRowGroup >= split.endRowGroup()) {
            output.setRowCount(0);
            return false;
          }
          startRowGroup(nextRowGroup++);
        }
        int rows = decodeBatch();
        int selected = rows;
        if (filter != null) {
          if (selection.length < rows) {
            selection = new int[rows];
          }
          selected = filter.select(decoded, selection);
        }
        if (selected == 0) {
          continue;
        }
        fillOutput(rows, selected);
        statistics = statistics.plus(ScanStatistics.returnedBatch(selected));
        return true;
      }
    } catch (IOException e) {
      throw new InvalidDatasetException(
          "Cannot read " + fileName + ", row group " + (nextRowGroup - 1) + ": " + e.getMessage(),
          e);
    } catch (InvalidDatasetException | org.apache.arrow.memory.OutOfMemoryException e) {
      throw e;
    } catch (RuntimeException e) {
      // Damaged pages surface as decoding, decompression or checksum failures of any kind.
      throw new InvalidDatasetException(
          "Cannot decode "
              + fileName
              + ", row group "
              + (nextRowGroup - 1)
              + ": "
              + (e instanceof ParquetDecodingException ? e.getMessage() : e.toString()),
          e);
    }
  }

  private int decodeBatch() {
    int rows = (int) Math.min(rowsPerBatch, rowsLeftInRowGroup);
    List<FieldVector> vectors = decoded.getFieldVectors();
    for (int c = 0; c < vectors.size(); c++) {
      FieldVector vector = vectors.get(c);
      if (decoders.get(c).writesEveryValue() && vector instanceof BaseFixedWidthVector fixed) {
        allocateUnzeroed(fixed, rows);
      } else {
        vector.setInitialCapacity(rows);
        vector.allocateNew();
      }
    }
    for (int c = 0; c < vectors.size(); c++) {
      try {
        decoders.get(c).decode(0, rows);
      } catch (RuntimeException e) {
        throw inColumn(vectors.get(c).getField().getName(), e);
      }
    }
    long batchBytes = 0;
    for (FieldVector vector : decoded.getFieldVectors()) {
      vector.setValueCount(rows);
      batchBytes += vector.getBufferSize();
    }
    decoded.setRowCount(rows);
    rowsLeftInRowGroup -= rows;
    statistics = statistics.plus(ScanStatistics.decoded(rows));
    adaptBatchRows(rows, batchBytes);
    return rows;
  }

  /**
   * Gives {@code vector} room for {@code rows} values with a zeroed validity buffer and a value
   * buffer that is not zeroed: its decoder writes every slot ({@link
   * ColumnDecoder#writesEveryValue}). Zeroing it first was about a tenth of a full scan's CPU.
   */
  private static void allocateUnzeroed(BaseFixedWidthVector vector, int rows) {
    long bytes = (long) rows * vector.getTypeWidth();
    try (ArrowBuf values = vector.getAllocator().buffer(bytes)) {
      // A field node whose every value is null makes Arrow allocate a zeroed validity buffer and
      // take the value buffer as it is; the decoder then marks the defined rows.
      vector.loadFieldBuffers(
          new ArrowFieldNode(rows, rows),
          java.util.Arrays.asList(vector.getAllocator().getEmpty(), values));
    }
  }

  /** Moves the selected rows of the decoded batch into the output batch. */
  private void fillOutput(int rows, int selected) {
    for (FieldVector target : output.getFieldVectors()) {
      String column = target.getField().getName();
      if (partitions.contains(column)) {
        partitions.fill(target, selected);
        continue;
      }
      FieldVector source = decoded.getVector(column);
      if (selected == rows) {
        source.makeTransferPair(target).transfer();
      } else {
        SelectionCopier.copy(source, selection, selected, target);
      }
    }
    output.setRowCount(selected);
  }

  /** What this reader has done so far. */
  public ScanStatistics statistics() {
    return statistics.plus(ScanStatistics.storageReads(reads.requests(), reads.bytes()));
  }

  @Override
  public void close() {
    try {
      output.close();
      decoded.close();
      closePages();
    } finally {
      if (fileReader != null) {
        try {
          fileReader.close();
        } catch (IOException e) {
          throw new InvalidDatasetException("Cannot close " + fileName, e);
        } finally {
          chunks.close(); // what a failed read left unreleased
        }
      }
    }
  }

  /** Gives the finished row group's column chunk buffers back to {@link ChunkBuffers}. */
  private void closePages() {
    if (pages != null) {
      PageReadStore done = pages;
      pages = null;
      done.close();
    }
  }

  private void startRowGroup(int index) throws IOException {
    closePages();
    RowGroupPlan plan = pruner.plan(fileReader, index);
    statistics =
        statistics.plus(
            ScanStatistics.rowGroup(
                plan.skippedBy(), plan.pages(), plan.pagesSkipped(), plan.bytes()));
    if (plan.skipped()) {
      rowsLeftInRowGroup = 0;
      return;
    }
    pages =
        plan.rows() == null
            ? fileReader.readRowGroup(index)
            : fileReader.readFilteredRowGroup(index, plan.rows());
    if (pages == null) {
      rowsLeftInRowGroup = 0;
      return;
    }
    rowsLeftInRowGroup = plan.rows() == null ? pages.getRowCount() : plan.rows().rowCount();
    ColumnReadStoreImpl columns =
        new ColumnReadStoreImpl(
            pages,
            noConverters(readSchema),
            readSchema,
            split.file().footer().getFileMetaData().getCreatedBy());
    List<ColumnDecoder> next = new ArrayList<>(decoded.getFieldVectors().size());
    for (FieldVector vector : decoded.getFieldVectors()) {
      String column = vector.getField().getName();
      try {
        next.add(decoder(column, vector, index, plan, columns));
      } catch (RuntimeException e) {
        throw inColumn(column, e);
      }
    }
    decoders = next;
  }

  /** The decoder of {@code column} in row group {@code index}, which {@code plan} reads. */
  private ColumnDecoder decoder(
      String column,
      FieldVector vector,
      int index,
      RowGroupPlan plan,
      ColumnReadStoreImpl columns) {
    if (!readSchema.containsField(column)) {
      return ColumnDecoders.forMissingColumn(vector);
    }
    Type type = readSchema.getType(column);
    if (!type.isPrimitive() || type.isRepetition(Type.Repetition.REPEATED)) {
      return ColumnDecoders.forNestedColumn(
          readSchema, type, vector, columns::getColumnReader, fileName);
    }
    ColumnDescriptor descriptor = readSchema.getColumnDescription(new String[] {column});
    ColumnChunkMetaData chunk = chunk(fileReader.getRowGroups().get(index), column);
    if (plan.rows() == null
        && chunk != null
        && ColumnDecoders.canReadPages(descriptor, chunk, vector)) {
      return ColumnDecoders.forPages(
          descriptor,
          pages.getPageReader(descriptor),
          vector,
          chunk.getStatistics(),
          scratch.computeIfAbsent(column, c -> new DecodeScratch()));
    }
    return ColumnDecoders.forColumn(columns.getColumnReader(descriptor), vector, fileName);
  }

  /**
   * A failure while reading {@code column}, as a {@link DamagedColumnException} that names it:
   * damaged pages fail in many ways (an index out of bounds, a negative array size) that say
   * nothing of where. Failures that already say where, or are not about the data, pass as they are.
   */
  private static RuntimeException inColumn(String column, RuntimeException e) {
    if (e instanceof DamagedColumnException
        || e instanceof InvalidDatasetException
        || e instanceof UnsupportedParquetFeatureException
        || e instanceof org.apache.arrow.memory.OutOfMemoryException) {
      return e;
    }
    return new DamagedColumnException(
        column,
        "cannot be decoded: "
            + (e instanceof ParquetDecodingException ? e.getMessage() : e.toString()),
        e);
  }

  private static ColumnChunkMetaData chunk(
      org.apache.parquet.hadoop.metadata.BlockMetaData rowGroup, String column) {
    for (ColumnChunkMetaData chunk : rowGroup.getColumns()) {
      if (chunk.getPath().size() == 1 && chunk.getPath().toArray()[0].equals(column)) {
        return chunk;
      }
    }
    return null;
  }

  private void adaptBatchRows(int rows, long batchBytes) {
    if (batchBytes <= 0) {
      return;
    }
    long fitting = request.targetBatchBytes() * rows / batchBytes;
    rowsPerBatch = (int) Math.max(1, Math.min(request.maxBatchRows(), fitting));
  }

  private static MessageType projection(MessageType fileSchema, Set<String> columns) {
    List<Type> projected = new ArrayList<>();
    for (String column : columns) {
      if (fileSchema.containsField(column)) {
        projected.add(fileSchema.getType(column));
      }
    }
    return new MessageType(fileSchema.getName(), projected);
  }

  /**
   * Opens the split's file, after checking it still is the file whose footer was read. Reads of
   * remote files are vectored: the column chunks a row group needs are fetched in parallel ranges.
   */
  private static ParquetFileReader openFile(
      FileSplit split, StorageReads reads, ChunkBuffers.Lease chunks) {
    StoredFile stored = split.file().stored();
    try {
      stored.checkUnchanged();
      InputFile input = stored.open(reads);
      return new ParquetFileReader(
          input,
          split.file().footer(),
          ParquetReadOptions.builder(new PlainParquetConfiguration())
              .usePageChecksumVerification(true)
              .withUseHadoopVectoredIo(true)
              .withAllocator(chunks)
              // Despite its name, this makes parquet-java decompress direct chunk buffers into
              // direct page buffers from the same allocator (released with the row group), through
              // the codec's ByteBuffer method: no page touches the heap.
              .useOffHeapDecryptBuffer(true)
              .withCodecFactory(new PageCodecs(HadoopCodecs.newFactory(CODEC_CONFIGURATION, 0)))
              .build(),
          input.newStream());
    } catch (FileNotFoundException | NoSuchFileException e) {
      throw new InvalidDatasetException(
          "Cannot open "
              + stored.location()
              + ": it was deleted after the dataset was loaded; refresh the dataset",
          e);
    } catch (IOException e) {
      throw new InvalidDatasetException(
          "Cannot open " + stored.location() + ": " + e.getMessage(), e);
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
