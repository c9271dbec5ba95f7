package dev.quiver.parquet.decode;

/** Appends the next values of one column of one row group to one Arrow vector. */
public interface ColumnDecoder {
  /**
   * Decodes the next {@code count} values into the target vector at indexes {@code offset .. offset
   * + count - 1}. The vector must already hold capacity for fixed-width values.
   */
  void decode(int offset, int count);
}
