package dev.quiver.server.flight;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.exec.ConcatOperator;
import dev.quiver.server.exec.ExecutionContext;
import dev.quiver.server.exec.LimitOperator;
import dev.quiver.server.exec.Operator;
import dev.quiver.server.exec.SortKey;
import dev.quiver.server.exec.SortOperator;
import dev.quiver.server.query.PeerStreamOperator;
import dev.quiver.server.ticket.GatheredTicket;
import dev.quiver.server.ticket.Tickets;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.arrow.flight.BackpressureStrategy;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.message.IpcOption;

/**
 * A scan with ORDER BY or LIMIT over a cluster: one endpoint, on the node that planned it, which
 * reads the nodes' own endpoints (each already sorted, and cut to the limit, by its node). Without
 * ORDER BY it reads them one after the other and stops as soon as it has the rows; with ORDER BY it
 * merges them by the sort keys, keeping only the top rows when there is a limit. Every Flight and
 * Flight SQL client therefore gets exactly the rows asked for, in order, whatever it knows of
 * Quiver.
 */
final class GatheredScan {
  private static final ObjectMapper JSON = new ObjectMapper();

  private GatheredScan() {}

  /**
   * One endpoint on {@code self} that reads {@code wide}'s endpoints, merged by {@code order}, up
   * to {@code limit} rows.
   */
  static FlightInfo info(FlightInfo wide, List<SortKey> order, long limit, Location self) {
    List<List<String>> parts = new ArrayList<>();
    for (FlightEndpoint endpoint : wide.getEndpoints()) {
      String location =
          endpoint.getLocations().isEmpty()
              ? ""
              : endpoint.getLocations().get(0).getUri().toString();
      parts.add(
          List.of(Base64.getEncoder().encodeToString(endpoint.getTicket().getBytes()), location));
    }
    Ticket ticket = Tickets.encode(new GatheredTicket(parts, order, limit));
    return new FlightInfo(
        wide.getSchema(),
        wide.getDescriptor(),
        List.of(new FlightEndpoint(ticket, self)),
        -1,
        -1,
        !order.isEmpty(),
        IpcOption.DEFAULT,
        wide.getAppMetadata());
  }

  /**
   * Streams the first {@code limit} rows of the ticket's endpoints, then the scan counters the
   * endpoints reported, added up: the endpoints one after the other ({@link ConcatOperator}), then
   * a top-N by the sort keys ({@link SortOperator}) or a {@link LimitOperator}.
   */
  static void stream(
      GatheredTicket ticket,
      Cluster cluster,
      BufferAllocator allocator,
      ServerStreamListener listener,
      BackpressureStrategy backpressure,
      Duration clientTimeout,
      Duration peerTimeout,
      BooleanSupplier stopped) {
    ObjectNode counters = JSON.createObjectNode();
    List<Supplier<Operator>> parts = new ArrayList<>();
    for (List<String> part : ticket.parts()) {
      Location location =
          part.get(1).isEmpty() ? cluster.self() : new Location(URI.create(part.get(1)));
      Ticket inner = new Ticket(Base64.getDecoder().decode(part.get(0)));
      parts.add(
          () ->
              PeerStreamOperator.open(
                  cluster,
                  location,
                  inner,
                  peerTimeout,
                  "reading its part of a scan with ORDER BY or LIMIT",
                  metadata -> add(counters, metadata)));
    }
    ExecutionContext context =
        new ExecutionContext(
            "gathered-scan",
            allocator,
            () -> {
              if (stopped.getAsBoolean()) {
                throw new QuiverException(ErrorCode.CANCELLED, "The client stopped reading");
              }
            },
            MERGED_BATCH_ROWS,
            Long.MAX_VALUE);
    try (Operator merged =
            Operator.<Operator>then(
                new ConcatOperator(null, parts),
                in ->
                    ticket.order().isEmpty()
                        ? new LimitOperator(in, ticket.limit())
                        : new SortOperator(in, ticket.order(), ticket.limit(), context));
        VectorSchemaRoot out = VectorSchemaRoot.create(merged.schema(), allocator)) {
      listener.start(out);
      while (merged.next()) {
        VectorSchemaRoot batch = merged.root();
        if (batch.getRowCount() == 0) {
          continue;
        }
        for (int c = 0; c < batch.getFieldVectors().size(); c++) {
          batch.getVector(c).makeTransferPair(out.getVector(c)).transfer();
        }
        out.setRowCount(batch.getRowCount());
        if (!send(listener, backpressure, clientTimeout, stopped)) {
          return;
        }
      }
      byte[] json = JSON.writeValueAsBytes(counters);
      ArrowBuf metadata = allocator.buffer(json.length);
      metadata.writeBytes(json);
      listener.putMetadata(metadata);
      listener.completed();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final int MERGED_BATCH_ROWS = 65_536;

  /** Sends the started root's current rows; false when the client stopped reading. */
  private static boolean send(
      ServerStreamListener listener,
      BackpressureStrategy backpressure,
      Duration clientTimeout,
      BooleanSupplier stopped) {
    if (stopped.getAsBoolean()
        || backpressure.waitForListener(clientTimeout.toMillis())
            != BackpressureStrategy.WaitResult.READY) {
      return false;
    }
    listener.putNext();
    return true;
  }

  private static void add(ObjectNode counters, ArrowBuf metadata) {
    if (metadata == null || metadata.readableBytes() == 0) {
      return;
    }
    byte[] bytes = new byte[(int) metadata.readableBytes()];
    metadata.getBytes(metadata.readerIndex(), bytes);
    try {
      JsonNode node = JSON.readTree(bytes);
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (field.getValue().isIntegralNumber()) {
          counters.put(
              field.getKey(), counters.path(field.getKey()).asLong(0) + field.getValue().asLong());
        }
      }
    } catch (IOException e) {
      // Not counters: nothing to add.
    }
  }
}
