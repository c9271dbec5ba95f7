package dev.quiver.shuffle.exchange;

import java.util.function.Consumer;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The receiving side of an exchange: every batch of a peer's {@code DoPut} goes to the receiver
 * that owns the partition, as it arrives; the stream's flow control holds the sender back while the
 * receiver works.
 */
public final class ExchangeSource {
  private ExchangeSource() {}

  /**
   * Hands each batch of {@code stream} to {@code receiver}, which reads it and keeps nothing of it
   * (the stream reuses its root for the next batch).
   *
   * @return Arrow bytes received
   */
  public static long receive(FlightStream stream, Consumer<VectorSchemaRoot> receiver) {
    long bytes = 0;
    while (stream.next()) {
      VectorSchemaRoot batch = stream.getRoot();
      for (FieldVector vector : batch.getFieldVectors()) {
        bytes += vector.getBufferSize();
      }
      receiver.accept(batch);
    }
    return bytes;
  }
}
