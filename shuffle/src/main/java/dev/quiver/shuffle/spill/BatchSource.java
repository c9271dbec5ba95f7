package dev.quiver.shuffle.spill;

import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Batches handed out one at a time. Each batch returned by {@link #next()} belongs to the caller,
 * who closes it; closing the source frees whatever it has not handed out yet.
 */
public interface BatchSource extends AutoCloseable {
  /**
   * @return the next batch, which the caller owns, or null when there are no more
   */
  VectorSchemaRoot next();

  @Override
  void close();
}
