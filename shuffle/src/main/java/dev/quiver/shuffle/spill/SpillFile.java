package dev.quiver.shuffle.spill;

import static java.util.Objects.requireNonNull;

import dev.quiver.shuffle.partition.HashPartitioner;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * One spill file: Arrow IPC stream format, each buffer compressed with ZSTD (level 1). Batches are
 * appended with {@link #write}; {@link #read} ends the writing and reads them back in order, once
 * or several times. Closing deletes the file. Not thread-safe.
 */
public final class SpillFile implements AutoCloseable {
  /** Rows per written message, so that compressing one never needs much memory. */
  static final int CHUNK_ROWS = 16_384;

  private final SpillSpace space;
  private final Path path;
  private final Schema schema;
  private final BufferAllocator allocator;
  private FileChannel channel;
  private VectorSchemaRoot staging;
  private ArrowStreamWriter writer;
  private long rows;
  private long bytes;
  private boolean closed;

  /**
   * @param allocator where the file's write and read buffers live (the space's)
   */
  SpillFile(SpillSpace space, Path path, Schema schema, BufferAllocator allocator) {
    this.space = requireNonNull(space, "space is null");
    this.path = requireNonNull(path, "path is null");
    this.schema = requireNonNull(schema, "schema is null");
    this.allocator = requireNonNull(allocator, "allocator is null");
  }

  public Path path() {
    return path;
  }

  /** Rows written. */
  public long rows() {
    return rows;
  }

  /** Compressed bytes on disk, once writing ended; until then, bytes written so far. */
  public long bytes() {
    return bytes;
  }

  /**
   * Appends every row of {@code batch}, which is only read.
   *
   * @throws SpillException if the disk refuses (full, removed, read-only)
   */
  public void write(VectorSchemaRoot batch) {
    if (closed) {
      throw new IllegalStateException("Spill file " + path + " is closed");
    }
    if (writer == null && channel != null) {
      throw new IllegalStateException("Spill file " + path + " was already read");
    }
    try {
      if (writer == null) {
        channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        staging = VectorSchemaRoot.create(schema, allocator);
        writer =
            new ArrowStreamWriter(
                staging,
                null,
                channel,
                IpcOption.DEFAULT,
                CommonsCompressionFactory.INSTANCE,
                CompressionUtil.CodecType.ZSTD,
                Optional.of(1));
        writer.start();
      }
      int count = batch.getRowCount();
      int[] all = HashPartitioner.allRows(count);
      for (int from = 0; from < count; from += CHUNK_ROWS) {
        int to = Math.min(count, from + CHUNK_ROWS);
        try (VectorSchemaRoot chunk = HashPartitioner.copyRows(batch, all, from, to, allocator);
            ArrowRecordBatch message = new VectorUnloader(chunk).getRecordBatch()) {
          new VectorLoader(staging).load(message);
          writer.writeBatch();
          staging.clear();
        }
      }
      rows += count;
      bytes = channel.position();
    } catch (IOException e) {
      throw space.failure("cannot write " + path.getFileName(), e);
    }
  }

  /**
   * Ends writing (if it has not ended) and reads the batches back from the start.
   *
   * @param into where the batches handed out live (they are read and decompressed in the space's
   *     allocator, then moved there)
   */
  public BatchSource read(BufferAllocator into) {
    try {
      finishWriting();
      if (channel == null) {
        return empty();
      }
      FileChannel in = FileChannel.open(path, StandardOpenOption.READ);
      ArrowStreamReader reader;
      try {
        reader = new ArrowStreamReader(in, allocator, CommonsCompressionFactory.INSTANCE);
      } catch (RuntimeException e) {
        in.close();
        throw e;
      }
      return new Reader(reader, into);
    } catch (IOException e) {
      throw space.failure("cannot read " + path.getFileName(), e);
    }
  }

  private void finishWriting() throws IOException {
    if (writer != null) {
      try {
        writer.end();
        bytes = channel.position();
        space.wrote(bytes);
      } finally {
        closeWriter();
      }
    }
  }

  private void closeWriter() throws IOException {
    try {
      if (writer != null) {
        writer.close(); // closes the channel too
      }
    } finally {
      writer = null;
      if (staging != null) {
        staging.close();
        staging = null;
      }
    }
  }

  private static BatchSource empty() {
    return new BatchSource() {
      @Override
      public VectorSchemaRoot next() {
        return null;
      }

      @Override
      public void close() {}
    };
  }

  /** Deletes the file. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      closeWriter();
    } catch (IOException | RuntimeException e) {
      // The file is deleted below either way.
    }
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // SpillSpace.close() tries again.
      return;
    }
    space.deleted(path);
  }

  /** Reads a spill file's batches, each moved into a root of its own. */
  private static final class Reader implements BatchSource {
    private final ArrowStreamReader reader;
    private final BufferAllocator allocator;

    Reader(ArrowStreamReader reader, BufferAllocator allocator) {
      this.reader = reader;
      this.allocator = allocator;
    }

    @Override
    public VectorSchemaRoot next() {
      try {
        if (!reader.loadNextBatch()) {
          return null;
        }
        VectorSchemaRoot loaded = reader.getVectorSchemaRoot();
        VectorSchemaRoot batch = VectorSchemaRoot.create(loaded.getSchema(), allocator);
        for (int c = 0; c < loaded.getFieldVectors().size(); c++) {
          FieldVector from = loaded.getVector(c);
          from.makeTransferPair(batch.getVector(c)).transfer();
        }
        batch.setRowCount(loaded.getRowCount());
        return batch;
      } catch (IOException e) {
        throw new SpillException(null, "Reading a spill file failed: " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      try {
        reader.close(); // closes the channel too
      } catch (IOException e) {
        // Nothing was written; the file is deleted with its SpillFile.
      }
    }
  }
}
