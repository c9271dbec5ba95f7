package dev.quiver.shuffle.spill;

import java.nio.file.Path;

/** Spilling failed: the spill directory cannot be written (it is full, missing or read-only). */
public final class SpillException extends RuntimeException {
  private final Path directory;

  SpillException(Path directory, String message, Throwable cause) {
    super(message, cause);
    this.directory = directory;
  }

  /** The spill directory that failed. */
  public Path directory() {
    return directory;
  }
}
