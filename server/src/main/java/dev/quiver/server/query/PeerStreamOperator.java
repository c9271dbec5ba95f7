package dev.quiver.server.query;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.scan.ScanStatistics;
import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.exec.Operator;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The receiving end of a gather: the batches a node streams for a ticket (a fragment's result, or a
 * node's own endpoint of a scan). Batches live in the stream's root, reused for the next batch; a
 * message with only metadata is a batch of no rows. Closing the operator before the stream ends
 * cancels it. A failure names the node and what was read.
 */
public final class PeerStreamOperator implements Operator {
  private final Location peer;
  private final String during;
  private final FlightStream stream;
  private final Consumer<ArrowBuf> metadata;

  private PeerStreamOperator(
      Location peer, String during, FlightStream stream, Consumer<ArrowBuf> metadata) {
    this.peer = peer;
    this.during = during;
    this.stream = stream;
    this.metadata = metadata;
  }

  /**
   * Starts reading {@code ticket} from {@code peer}.
   *
   * @param during what is read, for messages (e.g. "reading the partial result of query q")
   * @param metadata sees each message's application metadata, possibly null; it must not keep it
   */
  public static PeerStreamOperator open(
      Cluster cluster,
      Location peer,
      Ticket ticket,
      Duration timeout,
      String during,
      Consumer<ArrowBuf> metadata) {
    requireNonNull(ticket, "ticket is null");
    requireNonNull(metadata, "metadata is null");
    try {
      FlightStream stream = cluster.client(peer).getStream(ticket, PeerCalls.timeout(timeout));
      return new PeerStreamOperator(peer, during, stream, metadata);
    } catch (FlightRuntimeException e) {
      throw PeerCalls.failure(peer, e, during);
    }
  }

  @Override
  public Schema schema() {
    try {
      return stream.getSchema();
    } catch (FlightRuntimeException e) {
      throw PeerCalls.failure(peer, e, during);
    }
  }

  @Override
  public boolean next() {
    try {
      boolean more = stream.next();
      if (more) {
        metadata.accept(stream.getLatestMetadata());
      }
      return more;
    } catch (FlightRuntimeException e) {
      throw PeerCalls.failure(peer, e, during);
    }
  }

  @Override
  public VectorSchemaRoot root() {
    return stream.getRoot();
  }

  @Override
  public ScanStatistics statistics() {
    return ScanStatistics.EMPTY;
  }

  @Override
  public void close() {
    try {
      stream.close();
    } catch (FlightRuntimeException e) {
      throw PeerCalls.failure(peer, e, during);
    } catch (Exception e) {
      throw new QuiverException(
          PeerCalls.outOfMemory(e) ? ErrorCode.RESOURCE_EXHAUSTED : ErrorCode.INTERNAL,
          "Reading from peer " + peer.getUri() + " failed: " + e);
    }
  }
}
