package dev.quiver.parquet.decode;

/** Appends the next values of one column of one row group to one Arrow vector. */
public interface ColumnDecoder {
  /**
   * Decodes the next {@code count} values into the target vector at indexes {@code offset .. offset
   * + count - 1}. The vector must already hold capacity for fixed-width values.
   */
  void decode(int offset, int count);

  /**
   * Whether the decoder writes every value slot of the rows it decodes, null rows as zeros, so that
   * the target's value buffer need not be zeroed when it is allocated (it never shows memory that
   * held something else).
   */
  default boolean writesEveryValue() {
    return false;
  }
}
