package dev.quiver.parquet.storage;

import java.io.IOException;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/** A stored file whose streams count their reads; its length is the listed one, not asked again. */
final class CountedInputFile implements InputFile {
  private final InputFile delegate;
  private final StoredFile file;
  private final StorageReads reads;

  CountedInputFile(InputFile delegate, StoredFile file, StorageReads reads) {
    this.delegate = delegate;
    this.file = file;
    this.reads = reads;
  }

  @Override
  public long getLength() {
    return file.length();
  }

  @Override
  public SeekableInputStream newStream() throws IOException {
    return new CountingInputStream(delegate.newStream(), reads);
  }

  @Override
  public String toString() {
    return file.location();
  }
}
