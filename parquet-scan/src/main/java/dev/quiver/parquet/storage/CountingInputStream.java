package dev.quiver.parquet.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.parquet.bytes.ByteBufferAllocator;
import org.apache.parquet.io.ParquetFileRange;
import org.apache.parquet.io.SeekableInputStream;

/**
 * A stream that counts the reads it passes on to storage into {@link StorageReads}. Single-byte
 * reads are not counted as requests: storage streams serve them from their own buffer.
 */
final class CountingInputStream extends SeekableInputStream {
  private final SeekableInputStream delegate;
  private final StorageReads reads;

  CountingInputStream(SeekableInputStream delegate, StorageReads reads) {
    this.delegate = delegate;
    this.reads = reads;
  }

  @Override
  public long getPos() throws IOException {
    return delegate.getPos();
  }

  @Override
  public void seek(long newPos) throws IOException {
    delegate.seek(newPos);
  }

  @Override
  public int read() throws IOException {
    int value = delegate.read();
    if (value >= 0) {
      reads.add(0, 1);
    }
    return value;
  }

  @Override
  public int read(byte[] bytes, int offset, int length) throws IOException {
    int read = delegate.read(bytes, offset, length);
    reads.add(1, Math.max(read, 0));
    return read;
  }

  @Override
  public void readFully(byte[] bytes) throws IOException {
    delegate.readFully(bytes);
    reads.add(1, bytes.length);
  }

  @Override
  public void readFully(byte[] bytes, int offset, int length) throws IOException {
    delegate.readFully(bytes, offset, length);
    reads.add(1, length);
  }

  @Override
  public int read(ByteBuffer buffer) throws IOException {
    int read = delegate.read(buffer);
    reads.add(1, Math.max(read, 0));
    return read;
  }

  @Override
  public void readFully(ByteBuffer buffer) throws IOException {
    int length = buffer.remaining();
    delegate.readFully(buffer);
    reads.add(1, length);
  }

  @Override
  public long skip(long n) throws IOException {
    return delegate.skip(n);
  }

  @Override
  public void readVectored(List<ParquetFileRange> ranges, ByteBufferAllocator allocator)
      throws IOException {
    long length = 0;
    for (ParquetFileRange range : ranges) {
      length += range.getLength();
    }
    delegate.readVectored(ranges, allocator);
    reads.add(ranges.size(), length);
  }

  @Override
  public boolean readVectoredAvailable(ByteBufferAllocator allocator) {
    return delegate.readVectoredAvailable(allocator);
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }
}
