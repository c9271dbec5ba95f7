package dev.quiver.client.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.SchemaResult;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The workload the launcher runs once after each build to write the class-data archive that client
 * commands start from: every subcommand and output format of the command line, run in this process
 * against a stand-in node (a Flight server on a loopback port serving one small dataset), with
 * everything they print discarded. The archive then holds the classes any client command loads,
 * whichever command a person runs first. Not a test: it checks nothing and always exits 0.
 */
public final class StartupTraining {
  static {
    // Before the schema below is made: Arrow's classes make their loggers as they load.
    StderrLogging.install();
  }

  private static final String DATASET = "training";
  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.nullable("id", new ArrowType.Int(64, true)),
              Field.nullable("name", ArrowType.Utf8.INSTANCE),
              Field.nullable("fare", new ArrowType.Decimal(10, 2, 128)),
              Field.nullable("ratio", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
              Field.nullable("day", new ArrowType.Date(DateUnit.DAY)),
              Field.nullable("at", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC"))));
  private static final String COUNTERS =
      "{\"files\": 1, \"filesSkipped\": 0, \"rowGroups\": 1, \"rowsDecoded\": 3,"
          + " \"rowsReturned\": 3, \"batches\": 1, \"bytesRead\": 1024}";

  private StartupTraining() {}

  public static void main(String[] args) throws Exception {
    PrintStream discarded = new PrintStream(OutputStream.nullOutputStream(), true);
    try (BufferAllocator allocator = new RootAllocator();
        FlightServer node =
            FlightServer.builder(
                    allocator, Location.forGrpcInsecure("127.0.0.1", 0), new StandInNode(allocator))
                .build()
                .start()) {
      String server = "--server=grpc://127.0.0.1:" + node.getPort();
      String sql = "SELECT name, SUM(fare) FROM " + DATASET + " GROUP BY name";
      List<List<String>> commands =
          List.of(
              List.of("--help"),
              List.of("list", "--help"),
              List.of("sql", "--help"),
              List.of("list", "--unknown-option"),
              List.of("list", server),
              List.of("schema", DATASET, server),
              List.of("schema", "missing", server),
              List.of("get", DATASET, server),
              List.of("get", DATASET, "--format=csv", "--limit=2", server),
              List.of("get", DATASET, "--format=json", server),
              List.of("get", DATASET, "--format=arrow", server),
              List.of("sql", sql, "--stats", server),
              List.of("queries", server),
              List.of("list", "--server=grpc://127.0.0.1:1"));
      for (List<String> command : commands) {
        QuiverCli.run(command.toArray(String[]::new), discarded, discarded);
      }
    }
  }

  /** Answers the calls the commands make with one dataset of three rows. */
  private static final class StandInNode extends NoOpFlightProducer {
    private final BufferAllocator allocator;

    StandInNode(BufferAllocator allocator) {
      this.allocator = allocator;
    }

    @Override
    public void listFlights(
        CallContext context, Criteria criteria, StreamListener<FlightInfo> listener) {
      listener.onNext(info(FlightDescriptor.path(DATASET)));
      listener.onCompleted();
    }

    @Override
    public FlightInfo getFlightInfo(CallContext context, FlightDescriptor descriptor) {
      if (descriptor.isCommand() || DATASET.equals(descriptor.getPath().get(0))) {
        return info(descriptor);
      }
      throw org.apache.arrow.flight.CallStatus.NOT_FOUND
          .withDescription("Unknown dataset; datasets are: " + DATASET)
          .toRuntimeException();
    }

    @Override
    public SchemaResult getSchema(CallContext context, FlightDescriptor descriptor) {
      return new SchemaResult(getFlightInfo(context, descriptor).getSchema());
    }

    @Override
    public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
      try (VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator)) {
        root.allocateNew();
        for (int row = 0; row < 3; row++) {
          ((BigIntVector) root.getVector("id")).setSafe(row, row);
          ((VarCharVector) root.getVector("name"))
              .setSafe(row, ("name-" + row).getBytes(StandardCharsets.UTF_8));
          ((DecimalVector) root.getVector("fare")).setSafe(row, BigDecimal.valueOf(1250 + row, 2));
          ((Float8Vector) root.getVector("ratio")).setSafe(row, row / 3.0);
          ((DateDayVector) root.getVector("day")).setSafe(row, 20_000 + row);
          ((TimeStampMicroTZVector) root.getVector("at")).setSafe(row, 1_700_000_000_000_000L);
        }
        root.setRowCount(3);
        listener.start(root);
        listener.putNext();
        byte[] counters = COUNTERS.getBytes(StandardCharsets.UTF_8);
        ArrowBuf metadata = allocator.buffer(counters.length); // the listener takes it over
        metadata.writeBytes(counters);
        listener.putMetadata(metadata);
        listener.completed();
      }
    }

    @Override
    public void doAction(CallContext context, Action action, StreamListener<Result> listener) {
      String answer =
          "[{\"node\": \"grpc+tcp://127.0.0.1:1\", \"id\": \"1\", \"user\": \"\","
              + " \"what\": \"training\", \"elapsedMillis\": 5}]";
      listener.onNext(new Result(answer.getBytes(StandardCharsets.UTF_8)));
      listener.onCompleted();
    }

    private static FlightInfo info(FlightDescriptor descriptor) {
      FlightEndpoint endpoint = new FlightEndpoint(new Ticket(new byte[] {1}));
      return new FlightInfo(
          SCHEMA,
          descriptor,
          List.of(endpoint),
          4096,
          3,
          false,
          IpcOption.DEFAULT,
          COUNTERS.getBytes(StandardCharsets.UTF_8));
    }
  }
}
