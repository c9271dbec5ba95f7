package dev.quiver.server.flight;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.exec.ConcatOperator;
import dev.quiver.server.exec.ExecutionContext;
import dev.quiver.server.exec.Operator;
import dev.quiver.server.physical.PhysicalPlanner;
import dev.quiver.server.physical.Stage;
import dev.quiver.server.physical.StagePlanner;
import dev.quiver.server.query.PeerStreamOperator;
import dev.quiver.server.sql.StagePipelines;
import dev.quiver.server.ticket.GatheredTicket;
import dev.quiver.server.ticket.ScanTicket;
import dev.quiver.server.ticket.StageTicket;
import dev.quiver.server.ticket.Tickets;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
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
 * runs the query's two stages ({@link PhysicalPlanner}, {@link StagePlanner}). Stage 1 runs on
 * every node's part (each the nodes' own endpoints): scan, filter, project, and a top-N by the sort
 * keys or the limit; its plan travels in each part's {@link StageTicket}, and the node runs it as
 * it is ({@link StagePipelines}), planning no SQL. Stage 2 runs here: it reads the parts one after
 * the other (stopping as soon as a limit is met) or merges them by the sort keys, keeping only the
 * top rows when there is a limit. Every Flight and Flight SQL client therefore gets exactly the
 * rows asked for, in order, whatever it knows of Quiver.
 */
final class GatheredScan {
  private static final ObjectMapper JSON = new ObjectMapper();

  private GatheredScan() {}

  /** One endpoint on {@code self} that runs the query of {@code wide}'s endpoints over them. */
  static FlightInfo info(FlightInfo wide, Location self) {
    List<List<String>> parts = new ArrayList<>();
    for (FlightEndpoint endpoint : wide.getEndpoints()) {
      String location =
          endpoint.getLocations().isEmpty()
              ? ""
              : endpoint.getLocations().get(0).getUri().toString();
      parts.add(
          List.of(Base64.getEncoder().encodeToString(endpoint.getTicket().getBytes()), location));
    }
    Ticket ticket = Tickets.encode(new GatheredTicket(parts));
    return new FlightInfo(
        wide.getSchema(),
        wide.getDescriptor(),
        List.of(new FlightEndpoint(ticket, self)),
        -1,
        -1,
        wide.getOrdered(),
        IpcOption.DEFAULT,
        wide.getAppMetadata());
  }

  /**
   * Runs the ticket's query: stage 1 on each part's node, read through a {@link StageTicket}, and
   * stage 2 here over what they send; streams the answer, then the scan counters the parts
   * reported, added up.
   */
  static void stream(
      GatheredTicket ticket,
      GatheredStages stages,
      Cluster cluster,
      BufferAllocator allocator,
      ServerStreamListener listener,
      BackpressureStrategy backpressure,
      Duration clientTimeout,
      Duration peerTimeout,
      BooleanSupplier stopped) {
    if (ticket.parts().isEmpty()) {
      throw new QuiverException(ErrorCode.INVALID_ARGUMENT, "The ticket names no part to read");
    }
    List<Location> locations = new ArrayList<>();
    List<ScanTicket> scans = new ArrayList<>();
    for (List<String> part : ticket.parts()) {
      locations.add(part.get(1).isEmpty() ? cluster.self() : new Location(URI.create(part.get(1))));
      scans.add(ScanTicket.from(new Ticket(Base64.getDecoder().decode(part.get(0)))));
    }
    String queryId = UUID.randomUUID().toString();
    List<Stage> planned = stages.of(scans.get(0), locations);
    Stage parts = planned.get(0);
    Stage answer = planned.get(1);
    String partPlan = stages.codec().encode(parts.plan());
    ObjectNode counters = JSON.createObjectNode();
    IntFunction<Operator> remote =
        stage -> {
          List<Supplier<Operator>> reads = new ArrayList<>();
          for (int p = 0; p < scans.size(); p++) {
            ScanTicket scan = scans.get(p);
            Location location = locations.get(p);
            Ticket read =
                Tickets.encode(
                    StageTicket.running(
                        queryId, stage, partPlan, scan.allFiles() ? null : List.of(scan)));
            reads.add(
                () ->
                    PeerStreamOperator.open(
                        cluster,
                        location,
                        read,
                        peerTimeout,
                        "running stage " + stage + " of a scan with ORDER BY or LIMIT",
                        metadata -> add(counters, metadata)));
          }
          return new ConcatOperator(parts.plan().schema(), reads);
        };
    ExecutionContext context =
        new ExecutionContext(
            "gathered-scan-" + queryId,
            allocator,
            () -> {
              if (stopped.getAsBoolean()) {
                throw new QuiverException(ErrorCode.CANCELLED, "The client stopped reading");
              }
            },
            MERGED_BATCH_ROWS,
            Long.MAX_VALUE);
    try (Operator merged = StagePipelines.build(answer.plan(), List.of(), remote, context);
        VectorSchemaRoot out = VectorSchemaRoot.create(answer.plan().schema(), allocator)) {
      listener.start(out);
      while (merged.next()) {
        VectorSchemaRoot batch = merged.root();
        if (batch.getRowCount() == 0) {
          continue;
        }
        for (int c = 0; c < out.getFieldVectors().size(); c++) {
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
