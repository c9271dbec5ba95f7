package dev.quiver.shuffle.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.shuffle.partition.HashPartitioner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The exchange over a real Flight server: what a node sends is what its owners receive. */
class ExchangeTest {
  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.nullable("key", new ArrowType.Int(64, true)),
              Field.nullable("value", new ArrowType.Int(64, true))));

  private BufferAllocator root;
  private FlightServer server;
  private FlightClient client;
  private final Map<ExchangeDescriptor, List<Long>> received = new ConcurrentHashMap<>();

  @BeforeEach
  void startReceiver() throws Exception {
    root = new RootAllocator();
    NoOpFlightProducer receiver =
        new NoOpFlightProducer() {
          @Override
          public Runnable acceptPut(
              CallContext context, FlightStream stream, StreamListener<PutResult> ack) {
            return () -> {
              try {
                ExchangeDescriptor exchange = ExchangeDescriptor.of(stream.getDescriptor());
                if (exchange.query().equals("refused")) {
                  throw CallStatus.RESOURCE_EXHAUSTED
                      .withDescription("no room for the partition")
                      .toRuntimeException();
                }
                List<Long> keys = received.computeIfAbsent(exchange, e -> new ArrayList<>());
                ExchangeSource.receive(stream, batch -> keys.addAll(keys(batch)));
                ack.onCompleted();
              } catch (FlightRuntimeException e) {
                ack.onError(e);
              }
            };
          }
        };
    server =
        FlightServer.builder(root, Location.forGrpcInsecure("localhost", 0), receiver)
            .build()
            .start();
    client = FlightClient.builder(root, server.getLocation()).build();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    server.close();
    root.close();
  }

  @Test
  void everyRowReachesTheTargetItsKeyHashesToLocalOrOverFlight() {
    List<Long> local = new ArrayList<>();
    BufferAllocator sending = root.newChildAllocator("sending", 0, Long.MAX_VALUE);
    try (VectorSchemaRoot first = batch(sending, 0, 6_000);
        VectorSchemaRoot second = batch(sending, 6_000, 10_000)) {
      List<ExchangeTarget> targets =
          List.of(
              new LocalExchangeTarget("here", batch -> local.addAll(keys(batch)), 1_000, sending),
              flightTarget("q1", 1, sending));

      ExchangeSink.Sent sent =
          ExchangeSink.send(List.of(first, second), Partitioning.hash(1, 2), targets);

      List<Long> remote = received.get(new ExchangeDescriptor("q1", 2, "node-a", 1));
      assertThat(remote).isNotNull();
      Set<Long> all = new HashSet<>(local);
      all.addAll(remote);
      assertThat(local.size() + remote.size()).isEqualTo(10_000);
      assertThat(all).hasSize(10_000);
      HashPartitioner partitioner = new HashPartitioner(2);
      try (VectorSchemaRoot probe = batch(sending, 0, 10_000)) {
        List<FieldVector> keys = probe.getFieldVectors().subList(0, 1);
        for (int row = 0; row < 10_000; row++) {
          long key = ((BigIntVector) keys.get(0)).get(row);
          assertThat(partitioner.partitionOf(keys, row) == 0 ? local : remote).contains(key);
        }
      }
      assertThat(sent.rowsOut()).isEqualTo(remote.size());
      assertThat(sent.bytes()).hasSize(2).allSatisfy(bytes -> assertThat(bytes).isPositive());
    } finally {
      Allocators.closeWhenReleased(sending, Duration.ofSeconds(5));
    }
  }

  @Test
  void aSinglePartitioningSendsEverythingToItsOneTarget() {
    BufferAllocator sending = root.newChildAllocator("sending", 0, Long.MAX_VALUE);
    try (VectorSchemaRoot rows = batch(sending, 0, 2_500)) {
      ExchangeSink.Sent sent =
          ExchangeSink.send(
              List.of(rows), Partitioning.single(), List.of(flightTarget("q2", 0, sending)));

      assertThat(received.get(new ExchangeDescriptor("q2", 2, "node-a", 0))).hasSize(2_500);
      assertThat(sent.rowsOut()).isEqualTo(2_500);
    } finally {
      Allocators.closeWhenReleased(sending, Duration.ofSeconds(5));
    }
  }

  @Test
  void aReceiverThatRefusesFailsTheSendWithWhatTheCallerMakesOfIt() {
    BufferAllocator sending = root.newChildAllocator("sending", 0, Long.MAX_VALUE);
    try (VectorSchemaRoot rows = batch(sending, 0, 100)) {
      ExchangeTarget refusing = flightTarget("refused", 0, sending);

      assertThatThrownBy(() -> refusing.send(List.of(new Slice(rows, new int[] {0, 1, 2}))))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("node-b refused partition 0")
          .hasMessageContaining("no room for the partition");
    } finally {
      Allocators.closeWhenReleased(sending, Duration.ofSeconds(5));
    }
  }

  @Test
  void aDescriptorReadsBackAndOtherVersionsAreRefusedByName() {
    ExchangeDescriptor descriptor = new ExchangeDescriptor("query-7", 2, "grpc://a:1", 3);

    assertThat(ExchangeDescriptor.of(descriptor.toFlight())).isEqualTo(descriptor);
    assertThat(ExchangeDescriptor.isExchange(FlightDescriptor.path("trips"))).isFalse();
    assertThat(ExchangeDescriptor.isExchange(FlightDescriptor.command(new byte[] {1}))).isFalse();
    assertThatThrownBy(
            () ->
                ExchangeDescriptor.of(FlightDescriptor.path("quiver-exchange", "1", "q", "a", "0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("version 1 is not supported");
    assertThatThrownBy(
            () ->
                ExchangeDescriptor.of(
                    FlightDescriptor.path("quiver-exchange", "2", "q", "1", "a", "first")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a number: first");
  }

  private ExchangeTarget flightTarget(String query, int partition, BufferAllocator sending) {
    return new FlightExchangeTarget(
        "node-b",
        client,
        new ExchangeDescriptor(query, 2, "node-a", partition),
        1_000,
        sending,
        () -> {},
        Duration.ofSeconds(30),
        e ->
            new IllegalStateException(
                "node-b refused partition " + partition + ": " + e.status().description()));
  }

  /** Rows with keys {@code [from, to)} and values ten times the key. */
  private static VectorSchemaRoot batch(BufferAllocator allocator, long from, long to) {
    VectorSchemaRoot batch = VectorSchemaRoot.create(SCHEMA, allocator);
    int rows = (int) (to - from);
    BigIntVector keys = (BigIntVector) batch.getVector(0);
    BigIntVector values = (BigIntVector) batch.getVector(1);
    keys.allocateNew(rows);
    values.allocateNew(rows);
    for (int r = 0; r < rows; r++) {
      keys.set(r, from + r);
      values.set(r, (from + r) * 10);
    }
    batch.setRowCount(rows);
    return batch;
  }

  private static List<Long> keys(VectorSchemaRoot batch) {
    List<Long> keys = new ArrayList<>();
    BigIntVector vector = (BigIntVector) batch.getVector(0);
    BigIntVector values = (BigIntVector) batch.getVector(1);
    for (int r = 0; r < batch.getRowCount(); r++) {
      assertThat(values.get(r)).isEqualTo(vector.get(r) * 10);
      keys.add(vector.get(r));
    }
    return keys;
  }
}
