package dev.quiver.parquet.decode;

import static java.util.Objects.requireNonNull;

import org.apache.parquet.io.ParquetDecodingException;

/**
 * A column chunk whose pages cannot be what its metadata says: a value outside the chunk's
 * statistics, a length or a dictionary id beyond its page. Files without page checksums are read as
 * they are, so these checks are what finds their damage. The message names the column; the reader
 * adds the file and the row group.
 */
public final class DamagedColumnException extends ParquetDecodingException {
  private final String column;

  /**
   * @param column the column's dotted path
   * @param problem what is wrong, a phrase that follows the column's name ("has ...")
   */
  public DamagedColumnException(String column, String problem) {
    this(column, problem, null);
  }

  public DamagedColumnException(String column, String problem, Throwable cause) {
    super("Column " + requireNonNull(column, "column is null") + " " + problem, cause);
    this.column = column;
  }

  /** The damaged column's dotted path. */
  public String column() {
    return column;
  }
}
