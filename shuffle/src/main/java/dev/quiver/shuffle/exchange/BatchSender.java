package dev.quiver.shuffle.exchange;

import dev.quiver.shuffle.partition.HashPartitioner;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.arrow.flight.OutboundStreamListener;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;

/**
 * Sends rows of a result over a Flight stream, {@code DoGet} or {@code DoPut} alike, with Flight's
 * zero-copy write: each batch is copied once into freshly allocated vectors and those buffers go to
 * the socket as they are. A sent batch's buffers are never written again; gRPC releases them when
 * written, so the allocator they came from must be closed with {@link
 * Allocators#closeWhenReleased}.
 */
public final class BatchSender {
  private BatchSender() {}

  /**
   * Sends rows {@code rows} of {@code source} (all rows, in order, when null) in batches of at most
   * {@code batchRows}, waiting for the receiver's readiness before each.
   *
   * @param wire the root the stream was started with; batches are loaded into it
   * @param cancelled checked before each batch; throws to stop
   * @return Arrow bytes sent
   */
  public static long send(
      OutboundStreamListener out,
      VectorSchemaRoot wire,
      VectorSchemaRoot source,
      int[] rows,
      int batchRows,
      BufferAllocator allocator,
      Runnable cancelled,
      Duration timeout) {
    int[] selected = rows == null ? HashPartitioner.allRows(source.getRowCount()) : rows;
    out.setUseZeroCopy(true);
    VectorLoader loader = new VectorLoader(wire);
    long bytes = 0;
    for (int from = 0; from < selected.length; from += batchRows) {
      int to = Math.min(selected.length, from + batchRows);
      cancelled.run();
      try (VectorSchemaRoot fresh =
              HashPartitioner.copyRows(source, selected, from, to, allocator);
          ArrowRecordBatch batch = new VectorUnloader(fresh).getRecordBatch()) {
        for (FieldVector vector : fresh.getFieldVectors()) {
          bytes += vector.getBufferSize();
        }
        loader.load(batch);
      }
      awaitReady(out, cancelled, timeout);
      out.putNext();
    }
    return bytes;
  }

  public static void awaitReady(OutboundStreamListener out, Runnable cancelled, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!out.isReady()) {
      cancelled.run();
      if (System.nanoTime() - deadline > 0) {
        throw new ReceiverTimeoutException("The receiver did not accept data for " + timeout);
      }
      LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
    }
  }
}
