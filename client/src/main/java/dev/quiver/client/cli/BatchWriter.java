package dev.quiver.client.cli;

import java.io.IOException;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Writes the rows of Arrow batches to an output in one format. */
public interface BatchWriter extends AutoCloseable {
  /** Writes the first {@code rows} rows of {@code batch}; the batch stays the caller's. */
  void write(VectorSchemaRoot batch, int rows) throws IOException;

  /** Flushes what is buffered; the output stays open. */
  @Override
  void close() throws IOException;
}
