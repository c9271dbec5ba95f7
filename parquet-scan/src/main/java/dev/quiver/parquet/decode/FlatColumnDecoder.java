package dev.quiver.parquet.decode;

import static java.util.Objects.requireNonNull;

import org.apache.arrow.vector.FieldVector;
import org.apache.parquet.column.ColumnReader;

/**
 * Decodes a flat (non-repeated) column: one value or null per row, nulls from definition levels.
 */
final class FlatColumnDecoder implements ColumnDecoder {
  private final ColumnReader reader;
  private final FieldVector vector;
  private final ValueCopier copier;
  private final int maxDefinitionLevel;

  FlatColumnDecoder(ColumnReader reader, FieldVector vector, ValueCopier copier) {
    this.reader = requireNonNull(reader, "reader is null");
    this.vector = requireNonNull(vector, "vector is null");
    this.copier = requireNonNull(copier, "copier is null");
    this.maxDefinitionLevel = reader.getDescriptor().getMaxDefinitionLevel();
  }

  @Override
  public void decode(int offset, int count) {
    int end = offset + count;
    if (maxDefinitionLevel == 0) {
      for (int index = offset; index < end; index++) {
        copier.copy(reader, index);
        reader.consume();
      }
      return;
    }
    for (int index = offset; index < end; index++) {
      if (reader.getCurrentDefinitionLevel() == maxDefinitionLevel) {
        copier.copy(reader, index);
      } else {
        vector.setNull(index);
      }
      reader.consume();
    }
  }
}
