package dev.quiver.client;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.ForeignAllocation;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageMetadataResult;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An Arrow IPC file (uncompressed) mapped into memory, whose record batches load into vectors
 * without a copy: the vectors' buffers are slices of the mapping. The mapping is one Arrow buffer
 * of the given allocator (accounted there, though not allocated by it), freed once this file and
 * every vector loaded from it are closed. Files up to 2 GiB. Not thread-safe.
 */
public final class MappedArrowFile implements AutoCloseable {
  private final Path path;
  private final ArrowBuf mapping;
  private final ByteBuffer bytes;
  private final Schema schema;
  private final List<ArrowBlock> batches;
  private boolean closed;

  private MappedArrowFile(
      Path path, ArrowBuf mapping, ByteBuffer bytes, Schema schema, List<ArrowBlock> batches) {
    this.path = path;
    this.mapping = mapping;
    this.bytes = bytes;
    this.schema = schema;
    this.batches = batches;
  }

  /**
   * Maps {@code path} and reads its footer.
   *
   * @param allocator accounts the mapping; must outlive this file and its vectors
   * @throws UncheckedIOException if the file cannot be read or is not an Arrow IPC file
   */
  public static MappedArrowFile open(Path path, BufferAllocator allocator) {
    requireNonNull(allocator, "allocator is null");
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = channel.size();
      MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
      ArrowBuf mapping = allocator.wrapForeignAllocation(new Mapping(mapped));
      try {
        Schema schema;
        List<ArrowBlock> batches;
        try (ArrowFileReader footer = new ArrowFileReader(channel, allocator)) {
          schema = footer.getVectorSchemaRoot().getSchema();
          batches = List.copyOf(footer.getRecordBlocks());
        }
        return new MappedArrowFile(path, mapping, mapped, schema, batches);
      } catch (IOException | RuntimeException e) {
        mapping.close();
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot map Arrow file " + path + ": " + e.getMessage(), e);
    }
  }

  public Path path() {
    return path;
  }

  public Schema schema() {
    return schema;
  }

  /** Record batches in the file. */
  public int batchCount() {
    return batches.size();
  }

  /**
   * Loads record batch {@code index} into {@code root} (of the file's schema), replacing what it
   * held; the root's buffers then point into the mapping.
   */
  public void load(int index, VectorSchemaRoot root) {
    ArrowBlock block = batches.get(index);
    ByteBuffer metadata =
        bytes
            .duplicate()
            .position(Math.toIntExact(block.getOffset()))
            .limit(Math.toIntExact(block.getOffset() + block.getMetadataLength()));
    try {
      MessageMetadataResult message =
          MessageSerializer.readMessage(new ReadChannel(new BufferChannel(metadata)));
      ArrowBuf body =
          mapping.slice(block.getOffset() + block.getMetadataLength(), block.getBodyLength());
      body.getReferenceManager().retain(); // deserializing takes one reference of the body
      try (ArrowRecordBatch batch = MessageSerializer.deserializeRecordBatch(message, body)) {
        new VectorLoader(root).load(batch);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read record batch " + index + " of " + path + ": " + e.getMessage(), e);
    }
  }

  /** Drops this file's hold on the mapping; vectors still loaded from it keep it alive. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      mapping.close();
    }
  }

  /** A mapped region as Arrow's foreign memory; unmapped by the collector once released. */
  private static final class Mapping extends ForeignAllocation {
    private MappedByteBuffer mapped;

    Mapping(MappedByteBuffer mapped) {
      super(mapped.capacity(), MemoryUtil.getByteBufferAddress(mapped));
      this.mapped = mapped;
    }

    @Override
    protected void release0() {
      mapped = null;
    }
  }

  /** Reads a byte buffer as a channel. */
  private static final class BufferChannel implements ReadableByteChannel {
    private final ByteBuffer source;

    BufferChannel(ByteBuffer source) {
      this.source = source;
    }

    @Override
    public int read(ByteBuffer target) {
      if (!source.hasRemaining()) {
        return -1;
      }
      int n = Math.min(target.remaining(), source.remaining());
      ByteBuffer chunk = source.duplicate();
      chunk.limit(chunk.position() + n);
      target.put(chunk);
      source.position(source.position() + n);
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }
}
