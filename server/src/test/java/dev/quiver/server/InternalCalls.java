package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.server.ticket.StageTicket;
import dev.quiver.server.ticket.Tickets;
import dev.quiver.shuffle.exchange.ExchangeDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.SyncPutListener;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/** The calls only a cluster's own nodes may make, tried from the outside. */
final class InternalCalls {
  private InternalCalls() {}

  /**
   * Asserts that {@code flight} is refused PERMISSION_DENIED for internal actions, a task's output
   * and a put into an exchange, the actions and the put saying {@code reason} (a ticket may be
   * refused sooner, as not signed).
   */
  static void assertAllDenied(FlightClient flight, BufferAllocator allocator, String reason)
      throws Exception {
    for (String action : List.of("fragment.release", "stage.run-task", "local-flight-info")) {
      assertThatThrownBy(
              () ->
                  flight
                      .doAction(new Action(action, "{}".getBytes(StandardCharsets.UTF_8)))
                      .forEachRemaining(r -> {}))
          .as(action)
          .isInstanceOf(FlightRuntimeException.class)
          .hasMessageContaining(reason)
          .satisfies(e -> assertDenied(e));
    }
    assertThatThrownBy(
            () -> {
              try (FlightStream stream =
                  flight.getStream(Tickets.encode(StageTicket.held("some-query", 1, 0)))) {
                stream.next();
              }
            })
        .as("DoGet of a task's output")
        .satisfies(e -> assertDenied(e));
    Schema schema = new Schema(List.of(Field.nullable("k", new ArrowType.Int(64, true))));
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      ((BigIntVector) root.getVector(0)).allocateNew(1);
      ((BigIntVector) root.getVector(0)).set(0, 1);
      root.setRowCount(1);
      SyncPutListener ack = new SyncPutListener();
      FlightClient.ClientStreamListener put =
          flight.startPut(
              new ExchangeDescriptor("some-query", 2, "grpc://attacker:1", 0).toFlight(),
              root,
              ack);
      put.putNext();
      put.completed();
      assertThatThrownBy(put::getResult)
          .as("DoPut into an exchange")
          .hasMessageContaining(reason)
          .satisfies(e -> assertDenied(e));
      ack.close();
    }
  }

  private static void assertDenied(Throwable e) {
    assertThat(e).isInstanceOf(FlightRuntimeException.class);
    assertThat(((FlightRuntimeException) e).status().code())
        .as(e.getMessage())
        .isEqualTo(FlightStatusCode.UNAUTHORIZED);
  }
}
