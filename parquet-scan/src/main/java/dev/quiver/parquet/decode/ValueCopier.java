package dev.quiver.parquet.decode;

import org.apache.parquet.column.ColumnReader;

/** Copies the reader's current, non-null value into a vector slot. */
@FunctionalInterface
interface ValueCopier {
  void copy(ColumnReader reader, int index);
}
