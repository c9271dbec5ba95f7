package dev.quiver.parquet.dataset;

/**
 * A dataset cannot be served as configured: no such path, a file that is not Parquet, or two files
 * whose schemas conflict. The message names the files involved.
 */
public final class InvalidDatasetException extends RuntimeException {
  public InvalidDatasetException(String message) {
    super(message);
  }

  public InvalidDatasetException(String message, Throwable cause) {
    super(message, cause);
  }
}
