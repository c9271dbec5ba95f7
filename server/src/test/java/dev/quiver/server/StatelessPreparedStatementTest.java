package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.SyncPutListener;
import org.apache.arrow.flight.sql.impl.FlightSql;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.ByteArrayReadableSeekableByteChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flight SQL prepared statements whose handle carries the statement: prepared on one node, bound on
 * a second and executed on a third, as a client behind a load balancer would, they answer as DuckDB
 * does; a handle that is not one is INVALID_ARGUMENT.
 */
class StatelessPreparedStatementTest {
  @TempDir static Path data;
  static DuckDb duckdb;
  static Path file;

  @BeforeAll
  static void writeFile() {
    duckdb = new DuckDb();
    file = data.resolve("t.parquet");
    duckdb.writeParquet("SELECT i AS id, i % 7 AS k FROM range(0, 10000) t(i)", file, "");
  }

  @AfterAll
  static void close() throws Exception {
    duckdb.close();
  }

  @Test
  void aStatementPreparedOnOneNodeIsBoundOnAnotherAndExecutedOnAThird() throws Exception {
    List<Map<String, String>> datasets = List.of(Map.of("t", file.toString()));
    try (TestNode a = TestNode.start(datasets.get(0));
        TestNode b = TestNode.start(datasets.get(0));
        TestNode c = TestNode.start(datasets.get(0));
        BufferAllocator allocator = new RootAllocator();
        FlightClient onA = client(allocator, a);
        FlightClient onB = client(allocator, b);
        FlightClient onC = client(allocator, c)) {
      FlightSql.ActionCreatePreparedStatementResult prepared =
          Any.parseFrom(
                  first(
                      onA.doAction(
                          new Action(
                              "CreatePreparedStatement",
                              Any.pack(
                                      FlightSql.ActionCreatePreparedStatementRequest.newBuilder()
                                          .setQuery("SELECT COUNT(*) AS n FROM t WHERE k = ?")
                                          .build())
                                  .toByteArray()))))
              .unpack(FlightSql.ActionCreatePreparedStatementResult.class);
      Schema parameters = schema(prepared.getParameterSchema());
      ByteString bound;
      try (VectorSchemaRoot values = VectorSchemaRoot.create(parameters, allocator)) {
        BigIntVector k = (BigIntVector) values.getVector(0);
        k.allocateNew(1);
        k.set(0, 3);
        values.setRowCount(1);
        SyncPutListener ack = new SyncPutListener();
        FlightClient.ClientStreamListener put =
            onB.startPut(command(prepared.getPreparedStatementHandle()), values, ack);
        put.putNext();
        put.completed();
        put.getResult();
        try (PutResult result = ack.read()) {
          byte[] metadata = new byte[(int) result.getApplicationMetadata().readableBytes()];
          result.getApplicationMetadata().getBytes(0, metadata);
          bound =
              FlightSql.DoPutPreparedStatementResult.parseFrom(metadata)
                  .getPreparedStatementHandle();
        }
        ack.close();
      }
      FlightInfo info = onC.getInfo(command(bound));
      assertThat(count(onC, info))
          .isEqualTo(duckdb.queryLong("SELECT COUNT(*) FROM '" + file + "' WHERE k = 3"));
      assertThatThrownBy(() -> onC.getInfo(command(ByteString.copyFromUtf8("not a handle"))))
          .isInstanceOf(FlightRuntimeException.class)
          .hasMessageContaining("prepared-statement handle")
          .satisfies(
              e ->
                  assertThat(((FlightRuntimeException) e).status().code())
                      .isEqualTo(FlightStatusCode.INVALID_ARGUMENT));
    }
  }

  private static FlightClient client(BufferAllocator allocator, TestNode node) {
    return FlightClient.builder(
            allocator, Location.forGrpcInsecure("127.0.0.1", node.uri().getPort()))
        .build();
  }

  private static FlightDescriptor command(ByteString handle) {
    return FlightDescriptor.command(
        Any.pack(
                FlightSql.CommandPreparedStatementQuery.newBuilder()
                    .setPreparedStatementHandle(handle)
                    .build())
            .toByteArray());
  }

  private static byte[] first(java.util.Iterator<Result> results) {
    byte[] body = results.next().getBody();
    results.forEachRemaining(r -> {});
    return body;
  }

  private static Schema schema(ByteString ipc) throws Exception {
    return MessageSerializer.deserializeSchema(
        new ReadChannel(new ByteArrayReadableSeekableByteChannel(ipc.toByteArray())));
  }

  private static long count(FlightClient client, FlightInfo info) throws Exception {
    List<Long> counts = new ArrayList<>();
    for (FlightEndpoint endpoint : info.getEndpoints()) {
      try (FlightStream stream = client.getStream(endpoint.getTicket())) {
        while (stream.next()) {
          BigIntVector n = (BigIntVector) stream.getRoot().getVector(0);
          for (int r = 0; r < stream.getRoot().getRowCount(); r++) {
            counts.add(n.get(r));
          }
        }
      }
    }
    assertThat(counts).hasSize(1);
    return counts.get(0);
  }
}
