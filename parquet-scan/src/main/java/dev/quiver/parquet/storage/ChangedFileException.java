package dev.quiver.parquet.storage;

import java.io.IOException;

/** A file changed (length or modification time) after its footer was read: reload the dataset. */
public final class ChangedFileException extends IOException {
  public ChangedFileException(String message) {
    super(message);
  }
}
