package dev.quiver.shuffle.exchange;

import static java.util.Objects.requireNonNull;

import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Rows {@code rows} of {@code source}, in order: part of what one node sends another. The slice
 * only reads its source; whoever made the source still owns it.
 */
public record Slice(VectorSchemaRoot source, int[] rows) {
  public Slice {
    requireNonNull(source, "source is null");
    requireNonNull(rows, "rows is null");
  }
}
