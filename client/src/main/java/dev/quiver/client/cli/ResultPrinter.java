package dev.quiver.client.cli;

import static java.util.Objects.requireNonNull;

import dev.quiver.client.BatchStream;
import java.io.IOException;
import java.io.OutputStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Writes the rows of a stream in one output format: how {@code quiver get}, {@code quiver sql} and
 * the shell print what they read.
 *
 * @param format the output format
 * @param limit the most rows to write
 */
record ResultPrinter(OutputFormat format, long limit) {
  ResultPrinter {
    requireNonNull(format, "format is null");
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative: " + limit);
    }
  }

  /** Every row, in {@code format}. */
  static ResultPrinter allRows(OutputFormat format) {
    return new ResultPrinter(format, Long.MAX_VALUE);
  }

  /**
   * Reads {@code batches} until the end or the limit and writes their rows to {@code sink}, drawing
   * on {@code meter} as they come. The stream and the sink stay the caller's: neither is closed,
   * the sink is flushed. When the read fails (or is cancelled), the rows written so far stay,
   * without what would present them as the whole answer ({@link BatchWriter#abort()}).
   *
   * @param root the allocator the writer takes a child of (Arrow IPC copies the batches it writes)
   * @return how many rows were written
   */
  long print(BatchStream batches, OutputStream sink, BufferAllocator root, Progress meter)
      throws IOException {
    long rows = 0;
    try (BufferAllocator writerAllocator = root.newChildAllocator("output", 0, Long.MAX_VALUE)) {
      BatchWriter writer = format.open(batches.schema(), sink, writerAllocator);
      try {
        while (rows < limit && batches.next()) {
          VectorSchemaRoot batch = batches.root();
          int take = (int) Math.min(batch.getRowCount(), limit - rows);
          writer.write(batch, take);
          rows += take;
          meter.update(rows, batches.bytesReceived());
        }
      } catch (IOException | RuntimeException e) {
        try {
          writer.abort();
        } catch (IOException | RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
      meter.finish(rows, batches.bytesReceived());
      writer.close();
    }
    return rows;
  }
}
