package dev.quiver.client;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads the endpoints of one flight with a bounded number of concurrent streams and hands their
 * batches out one at a time, in arrival order.
 *
 * <p>Fetchers move each received batch into a bounded queue (so a slow consumer stalls them: the
 * Flight stream then applies backpressure to the server); the consumer loads it into its own root.
 * Ownership of a queued batch passes to whoever takes it from the queue.
 */
final class ParallelBatchStream implements BatchStream {
  private static final Object END = new Object();

  private final Schema schema;
  private final BufferAllocator allocator;
  private final VectorSchemaRoot root;
  private final VectorLoader loader;
  private final ExecutorService fetchers;
  private final BlockingQueue<Object> queue;
  private final List<FlightStream> open = new ArrayList<>();
  private final AtomicInteger remaining;
  private volatile boolean closed;
  private long bytesReceived;
  private QueryStatistics statistics;
  private boolean ended;

  /**
   * @param allocator owned by the stream from now on, closed with it
   * @param clientFor the client that reads an endpoint (by its locations)
   */
  ParallelBatchStream(
      Schema schema,
      List<FlightEndpoint> endpoints,
      Function<FlightEndpoint, FlightClient> clientFor,
      BufferAllocator allocator,
      int parallelism,
      QueryStatistics planned) {
    this.statistics = requireNonNull(planned, "planned is null");
    this.schema = requireNonNull(schema, "schema is null");
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.root = VectorSchemaRoot.create(schema, allocator);
    this.loader = new VectorLoader(root);
    int threads = Math.max(1, Math.min(parallelism, endpoints.size()));
    this.queue = new ArrayBlockingQueue<>(threads * 2);
    this.remaining = new AtomicInteger(endpoints.size());
    this.fetchers =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread thread = new Thread(r, "quiver-fetch");
              thread.setDaemon(true);
              return thread;
            });
    if (endpoints.isEmpty()) {
      queue.add(END);
    }
    for (FlightEndpoint endpoint : endpoints) {
      fetchers.execute(() -> fetch(endpoint, clientFor.apply(endpoint)));
    }
  }

  private void fetch(FlightEndpoint endpoint, FlightClient client) {
    try {
      if (closed) {
        return;
      }
      FlightStream stream = client.getStream(endpoint.getTicket());
      synchronized (open) {
        open.add(stream);
      }
      try (stream) {
        while (!closed && stream.next()) {
          if (stream.getRoot().getRowCount() == 0) {
            // The server ends each stream with its scan statistics as metadata without rows.
            ArrowBuf metadata = stream.getLatestMetadata();
            if (metadata != null) {
              byte[] json = new byte[(int) metadata.readableBytes()];
              metadata.getBytes(metadata.readerIndex(), json);
              addStatistics(QueryStatistics.parse(json));
            }
            continue;
          }
          ArrowRecordBatch batch = new VectorUnloader(stream.getRoot()).getRecordBatch();
          if (!offer(batch)) {
            batch.close();
          }
        }
      } finally {
        synchronized (open) {
          open.remove(stream);
        }
      }
    } catch (Throwable e) {
      if (!closed) {
        offer(e);
      }
    } finally {
      if (remaining.decrementAndGet() == 0) {
        offer(END);
      }
    }
  }

  private boolean offer(Object item) {
    try {
      while (!closed) {
        if (queue.offer(item, 50, TimeUnit.MILLISECONDS)) {
          return true;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }

  @Override
  public Schema schema() {
    return schema;
  }

  @Override
  public boolean next() {
    if (ended || closed) {
      return false;
    }
    Object item;
    try {
      item = queue.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CallStatus.CANCELLED.withDescription("Interrupted while reading").toRuntimeException();
    }
    if (item == END) {
      ended = true;
      root.setRowCount(0);
      return false;
    }
    if (item instanceof Throwable failure) {
      ended = true;
      throw failure instanceof FlightRuntimeException flight
          ? flight
          : CallStatus.INTERNAL
              .withCause(failure)
              .withDescription(failure.toString())
              .toRuntimeException();
    }
    try (ArrowRecordBatch batch = (ArrowRecordBatch) item) {
      bytesReceived += batch.computeBodyLength();
      loader.load(batch);
    }
    return true;
  }

  private synchronized void addStatistics(QueryStatistics more) {
    statistics = statistics.plus(more);
  }

  @Override
  public synchronized QueryStatistics statistics() {
    return statistics;
  }

  @Override
  public VectorSchemaRoot root() {
    return root;
  }

  @Override
  public long bytesReceived() {
    return bytesReceived;
  }

  /**
   * Waits for the fetchers to stop, even when the closing thread was interrupted (as Ctrl-C in the
   * shell interrupts a query): a fetcher may still hold a batch, which must be freed before the
   * allocator closes. The interrupt is kept for the caller.
   */
  private void awaitFetchers() {
    boolean interrupted = Thread.interrupted();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    try {
      while (true) {
        try {
          fetchers.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
          return;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    synchronized (open) {
      for (FlightStream stream : open) {
        stream.cancel("Client closed the stream", null);
      }
    }
    fetchers.shutdown();
    awaitFetchers();
    for (Object item = queue.poll(); item != null; item = queue.poll()) {
      if (item instanceof ArrowRecordBatch batch) {
        batch.close();
      }
    }
    root.close();
    allocator.close();
  }
}
