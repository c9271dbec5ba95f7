package dev.quiver.parquet.decode;

import static java.util.Objects.requireNonNull;

import org.apache.arrow.vector.FieldVector;

/** Fills a column that a file does not have (the dataset's schema does) with nulls. */
final class MissingColumnDecoder implements ColumnDecoder {
  private final FieldVector vector;

  MissingColumnDecoder(FieldVector vector) {
    this.vector = requireNonNull(vector, "vector is null");
  }

  @Override
  public void decode(int offset, int count) {
    for (int index = offset; index < offset + count; index++) {
      vector.setNull(index);
    }
  }
}
