package dev.quiver.shuffle.exchange;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.arrow.flight.AsyncPutListener;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A partition of an exchange that another node receives: its rows go over one Flight {@code DoPut}
 * described by an {@link ExchangeDescriptor}, with zero-copy writes and the receiver's backpressure
 * ({@link BatchSender}), and {@link #send} returns once the receiver acknowledged them.
 */
public final class FlightExchangeTarget implements ExchangeTarget {
  private final String name;
  private final FlightClient client;
  private final ExchangeDescriptor descriptor;
  private final int batchRows;
  private final BufferAllocator allocator;
  private final Runnable cancelled;
  private final Duration timeout;
  private final Function<FlightRuntimeException, RuntimeException> failure;

  /**
   * @param client a client of the receiving node; not closed here
   * @param allocator where the sent copies live; close it with {@link Allocators#closeWhenReleased}
   * @param cancelled checked before each batch; throws to stop
   * @param timeout how long the call, and each wait for the receiver's readiness, may take
   * @param failure what a failed call means for the query (e.g. naming the peer)
   */
  public FlightExchangeTarget(
      String name,
      FlightClient client,
      ExchangeDescriptor descriptor,
      int batchRows,
      BufferAllocator allocator,
      Runnable cancelled,
      Duration timeout,
      Function<FlightRuntimeException, RuntimeException> failure) {
    this.name = requireNonNull(name, "name is null");
    this.client = requireNonNull(client, "client is null");
    this.descriptor = requireNonNull(descriptor, "descriptor is null");
    this.batchRows = batchRows;
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.cancelled = requireNonNull(cancelled, "cancelled is null");
    this.timeout = requireNonNull(timeout, "timeout is null");
    this.failure = requireNonNull(failure, "failure is null");
  }

  @Override
  public long send(List<Slice> slices) {
    if (slices.isEmpty()) {
      return 0;
    }
    try (VectorSchemaRoot wire =
        VectorSchemaRoot.create(slices.get(0).source().getSchema(), allocator)) {
      FlightClient.ClientStreamListener stream =
          client.startPut(
              descriptor.toFlight(),
              wire,
              new AsyncPutListener(),
              CallOptions.timeout(timeout.toMillis(), TimeUnit.MILLISECONDS));
      long bytes = 0;
      try {
        for (Slice slice : slices) {
          bytes +=
              BatchSender.send(
                  stream,
                  wire,
                  slice.source(),
                  slice.rows(),
                  batchRows,
                  allocator,
                  cancelled,
                  timeout);
        }
      } catch (RuntimeException e) {
        stream.error(e);
        throw e;
      }
      stream.completed();
      stream.getResult();
      return bytes;
    } catch (FlightRuntimeException e) {
      throw failure.apply(e);
    }
  }

  @Override
  public boolean isRemote() {
    return true;
  }

  @Override
  public String name() {
    return name;
  }
}
