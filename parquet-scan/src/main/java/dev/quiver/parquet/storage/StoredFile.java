package dev.quiver.parquet.storage;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import org.apache.parquet.io.InputFile;

/**
 * One file as storage listed it: where it is, how long it was and when it last changed. The length
 * and modification time are checked again when the file is opened for a scan, so that a file
 * replaced or truncated after its footer was read fails with a clear error instead of being read
 * until it breaks.
 *
 * @param storage the storage that listed the file and opens it
 * @param location the file's absolute path (local files) or URI ({@code s3a://bucket/key})
 * @param length the file's length in bytes
 * @param modifiedMillis the file's modification time, in milliseconds since the epoch
 * @param version what the storage says identifies this content (an object's ETag), or empty
 */
public record StoredFile(
    Storage storage, String location, long length, long modifiedMillis, String version) {
  public StoredFile {
    requireNonNull(storage, "storage is null");
    requireNonNull(location, "location is null");
    requireNonNull(version, "version is null");
  }

  /** A file without a version tag (a local file). */
  public StoredFile(Storage storage, String location, long length, long modifiedMillis) {
    this(storage, location, length, modifiedMillis, "");
  }

  /** Opens the file for reading, counting what is read into {@code reads}. */
  public InputFile open(StorageReads reads) throws IOException {
    return storage.open(this, reads);
  }

  /**
   * Checks that the file still has the length and modification time it was listed with.
   *
   * @throws ChangedFileException if it changed, naming the file and what changed
   * @throws IOException if the file cannot be looked at (deleted, storage unreachable)
   */
  public void checkUnchanged() throws IOException {
    storage.checkUnchanged(this);
  }

  @Override
  public String toString() {
    return location;
  }
}
