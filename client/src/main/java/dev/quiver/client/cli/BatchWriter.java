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

  /**
   * Instead of {@link #close()}, when the rows stopped coming because the read failed or was
   * cancelled: writes nothing that would present the output as whole (a table's row count), frees
   * what the writer holds and flushes what it wrote; the output stays open.
   */
  default void abort() throws IOException {
    close();
  }
}
