package dev.quiver.client;

import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A stream of Arrow record batches. The stream owns {@link #root()}, refilled by each {@link
 * #next()}; callers read it between calls and never close it. Closing the stream cancels what is
 * still being fetched and frees all memory.
 */
public interface BatchStream extends AutoCloseable {
  Schema schema();

  /**
   * Loads the next batch into {@link #root()}.
   *
   * @return false at the end of the stream
   * @throws org.apache.arrow.flight.FlightRuntimeException if the server failed the read
   */
  boolean next();

  /** The current batch. */
  VectorSchemaRoot root();

  /** Bytes of Arrow buffers received so far. */
  long bytesReceived();

  /**
   * The scan counters received so far; complete once {@link #next()} has returned false. Streams of
   * plain dataset reads report them too.
   */
  QueryStatistics statistics();

  @Override
  void close();
}
