package dev.quiver.parquet.io;

import static java.util.Objects.requireNonNull;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/**
 * A local Parquet file read through a {@link FileChannel}: {@code readFully(ByteBuffer)} fills the
 * caller's buffer with positional reads, where parquet's {@code LocalInputFile} reads into a new
 * array of the same size first and copies it over.
 */
public final class NioInputFile implements InputFile {
  private final Path path;

  public NioInputFile(Path path) {
    this.path = requireNonNull(path, "path is null");
  }

  @Override
  public long getLength() throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      return channel.size();
    }
  }

  @Override
  public SeekableInputStream newStream() throws IOException {
    return new Stream(FileChannel.open(path, StandardOpenOption.READ), path);
  }

  @Override
  public String toString() {
    return path.toString();
  }

  private static final class Stream extends SeekableInputStream {
    private final FileChannel channel;
    private final Path path;
    private long position;

    Stream(FileChannel channel, Path path) {
      this.channel = channel;
      this.path = path;
    }

    @Override
    public long getPos() {
      return position;
    }

    @Override
    public void seek(long newPosition) {
      position = newPosition;
    }

    @Override
    public int read() throws IOException {
      ByteBuffer one = ByteBuffer.allocate(1);
      return read(one) <= 0 ? -1 : one.get(0) & 0xFF;
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
      return read(ByteBuffer.wrap(bytes, offset, length));
    }

    @Override
    public void readFully(byte[] bytes) throws IOException {
      readFully(ByteBuffer.wrap(bytes));
    }

    @Override
    public void readFully(byte[] bytes, int offset, int length) throws IOException {
      readFully(ByteBuffer.wrap(bytes, offset, length));
    }

    @Override
    public int read(ByteBuffer buffer) throws IOException {
      if (!buffer.hasRemaining()) {
        return 0;
      }
      int read = channel.read(buffer, position);
      if (read > 0) {
        position += read;
      }
      return read;
    }

    @Override
    public void readFully(ByteBuffer buffer) throws IOException {
      while (buffer.hasRemaining()) {
        int read = channel.read(buffer, position);
        if (read < 0) {
          throw new EOFException(
              path + " ended at byte " + position + " with " + buffer.remaining() + " to read");
        }
        position += read;
      }
    }

    @Override
    public long skip(long n) {
      position += n;
      return n;
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }
}
