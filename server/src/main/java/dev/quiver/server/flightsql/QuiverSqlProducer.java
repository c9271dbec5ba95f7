package dev.quiver.server.flightsql;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.quiver.server.auth.Caller;
import dev.quiver.server.auth.TicketSigner;
import dev.quiver.server.catalog.Catalog;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.flight.FlightErrors;
import dev.quiver.server.sql.PreparedQuery;
import dev.quiver.server.sql.QueryPlanner;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.CancelFlightInfoRequest;
import org.apache.arrow.flight.CancelStatus;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.SchemaResult;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.flight.sql.CancelResult;
import org.apache.arrow.flight.sql.SqlInfoBuilder;
import org.apache.arrow.flight.sql.impl.FlightSql;
import org.apache.arrow.flight.sql.impl.FlightSql.ActionClosePreparedStatementRequest;
import org.apache.arrow.flight.sql.impl.FlightSql.ActionCreatePreparedStatementRequest;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetCrossReference;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetDbSchemas;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetExportedKeys;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetImportedKeys;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetPrimaryKeys;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetSqlInfo;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetTables;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetXdbcTypeInfo;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandPreparedStatementQuery;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementQuery;
import org.apache.arrow.flight.sql.impl.FlightSql.TicketStatementQuery;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.message.IpcOption;

/**
 * Arrow Flight SQL over the node's catalog and planner. A statement's FlightInfo is the one plain
 * Flight gives for the same SQL text, with Quiver's tickets, so a Flight SQL client reads scans
 * from every node in parallel and aggregations through the coordinator, exactly as a Flight client
 * does. Prepared statements keep their SQL and bound parameters on this node; binding writes the
 * values into the text (see {@link QueryPlanner#bind}).
 *
 * <p>Quiver is read-only: updates, bulk ingestion, Substrait and transactions are UNIMPLEMENTED
 * with a message saying so.
 */
public final class QuiverSqlProducer extends ReadOnlySqlProducer {
  private static final String TYPE_PREFIX = "type.googleapis.com/arrow.flight.protocol.sql.";

  private final Catalog catalog;
  private final QueryPlanner planner;
  private final SqlQueries queries;
  private final BufferAllocator allocator;
  private final SqlInfoBuilder sqlInfo;
  private final TicketSigner handles;

  /**
   * @param planner plans statements (shared with the plain Flight side, and its plan cache)
   * @param allocator the parent of the allocator metadata results are built in
   * @param version the server version reported in SqlInfo
   */
  public QuiverSqlProducer(
      Catalog catalog,
      QueryPlanner planner,
      SqlQueries queries,
      BufferAllocator allocator,
      String version) {
    this(catalog, planner, queries, allocator, version, null);
  }

  /**
   * @param handles signs prepared-statement handles for their user and checks them, or null for
   *     plain handles (a node that authenticates nobody)
   */
  public QuiverSqlProducer(
      Catalog catalog,
      QueryPlanner planner,
      SqlQueries queries,
      BufferAllocator allocator,
      String version,
      TicketSigner handles) {
    this.handles = handles;
    this.catalog = requireNonNull(catalog, "catalog is null");
    this.planner = requireNonNull(planner, "planner is null");
    this.queries = requireNonNull(queries, "queries is null");
    this.allocator = allocator.newChildAllocator("flight-sql", 0, Long.MAX_VALUE);
    this.sqlInfo = SqlInformation.of(version);
  }

  /**
   * Whether {@code bytes} is a Flight SQL command or ticket (a packed protobuf of the protocol).
   */
  public static boolean isFlightSql(byte[] bytes) {
    try {
      return Any.parseFrom(bytes).getTypeUrl().startsWith(TYPE_PREFIX);
    } catch (InvalidProtocolBufferException e) {
      return false;
    }
  }

  // Statements

  @Override
  public FlightInfo getFlightInfoStatement(
      CommandStatementQuery command, CallContext context, FlightDescriptor descriptor) {
    return guard(
        "Flight SQL statement", () -> statementInfo(queries.info(command.getQuery(), descriptor)));
  }

  @Override
  public SchemaResult getSchemaStatement(
      CommandStatementQuery command, CallContext context, FlightDescriptor descriptor) {
    return guard(
        "Flight SQL statement schema", () -> new SchemaResult(queries.schema(command.getQuery())));
  }

  /**
   * Reads a statement's endpoint: the handle of a {@code TicketStatementQuery} is one of Quiver's
   * own tickets, streamed as a plain {@code DoGet} of it.
   */
  @Override
  public void getStreamStatement(
      TicketStatementQuery ticket, CallContext context, ServerStreamListener listener) {
    queries.stream(context, new Ticket(ticket.getStatementHandle().toByteArray()), listener);
  }

  /**
   * A statement's FlightInfo as Flight SQL gives it: each endpoint's ticket is a {@code
   * TicketStatementQuery} whose handle is Quiver's ticket for that endpoint.
   */
  private static FlightInfo statementInfo(FlightInfo info) {
    List<FlightEndpoint> endpoints = new ArrayList<>();
    for (FlightEndpoint endpoint : info.getEndpoints()) {
      endpoints.add(
          new FlightEndpoint(
              statementTicket(endpoint.getTicket()),
              endpoint.getLocations().toArray(new Location[0])));
    }
    return new FlightInfo(
        info.getSchema(),
        info.getDescriptor(),
        endpoints,
        info.getBytes(),
        info.getRecords(),
        info.getOrdered(),
        IpcOption.DEFAULT,
        info.getAppMetadata());
  }

  private static Ticket statementTicket(Ticket quiver) {
    return new Ticket(
        Any.pack(
                TicketStatementQuery.newBuilder()
                    .setStatementHandle(ByteString.copyFrom(quiver.getBytes()))
                    .build())
            .toByteArray());
  }

  /** Quiver's own ticket inside a statement ticket, or the ticket itself. */
  public static Ticket quiverTicket(Ticket ticket) {
    if (!isFlightSql(ticket.getBytes())) {
      return ticket;
    }
    try {
      Any any = Any.parseFrom(ticket.getBytes());
      if (any.is(TicketStatementQuery.class)) {
        return new Ticket(
            any.unpack(TicketStatementQuery.class).getStatementHandle().toByteArray());
      }
    } catch (InvalidProtocolBufferException e) {
      // Not a statement ticket: leave it.
    }
    return ticket;
  }

  // Prepared statements

  @Override
  public void createPreparedStatement(
      ActionCreatePreparedStatementRequest request,
      CallContext context,
      StreamListener<Result> listener) {
    try {
      if (request.hasTransactionId()) {
        throw new QuiverException(ErrorCode.UNIMPLEMENTED, "Quiver has no transactions");
      }
      PreparedQuery query = planner.prepare(request.getQuery());
      ByteString handle = seal(PreparedStatements.Handle.of(query.sql()));
      FlightSql.ActionCreatePreparedStatementResult result =
          FlightSql.ActionCreatePreparedStatementResult.newBuilder()
              .setPreparedStatementHandle(handle)
              .setDatasetSchema(ByteString.copyFrom(query.schema().serializeAsMessage()))
              .setParameterSchema(ByteString.copyFrom(query.parameterSchema().serializeAsMessage()))
              .build();
      listener.onNext(new Result(Any.pack(result).toByteArray()));
      listener.onCompleted();
    } catch (RuntimeException e) {
      listener.onError(FlightErrors.toFlight(e, "CreatePreparedStatement"));
    }
  }

  @Override
  public void closePreparedStatement(
      ActionClosePreparedStatementRequest request,
      CallContext context,
      StreamListener<Result> listener) {
    listener.onCompleted(); // the handle carries the statement: nothing is kept to free
  }

  /**
   * Binds one set of parameter values: the first row of the batches the client puts (a query runs
   * with one set at a time).
   */
  @Override
  public Runnable acceptPutPreparedStatementQuery(
      CommandPreparedStatementQuery command,
      CallContext context,
      FlightStream stream,
      StreamListener<PutResult> ack) {
    return () -> {
      try {
        PreparedStatements.Handle handle = open(command.getPreparedStatementHandle());
        PreparedQuery query = planner.prepare(handle.sql());
        List<Object> values = null;
        while (stream.next()) {
          VectorSchemaRoot batch = stream.getRoot();
          if (batch.getRowCount() == 0) {
            continue;
          }
          if (values != null || batch.getRowCount() > 1) {
            throw new QuiverException(
                ErrorCode.INVALID_ARGUMENT,
                "Bind one set of parameters per execution; got more than one row");
          }
          values = ParameterValues.row(batch, 0);
        }
        if (values == null) {
          values = List.of();
        }
        if (values.size() != query.parameters().size()) {
          throw new QuiverException(
              ErrorCode.INVALID_ARGUMENT,
              "The statement has "
                  + query.parameters().size()
                  + " parameter(s); "
                  + values.size()
                  + " were bound");
        }
        // The bound values travel in the new handle the client executes with.
        String bound = values.isEmpty() ? null : planner.bind(query.sql(), values);
        FlightSql.DoPutPreparedStatementResult result =
            FlightSql.DoPutPreparedStatementResult.newBuilder()
                .setPreparedStatementHandle(seal(handle.bind(bound)))
                .build();
        byte[] bytes = result.toByteArray();
        try (ArrowBuf buffer = allocator.buffer(bytes.length)) {
          buffer.writeBytes(bytes);
          ack.onNext(PutResult.metadata(buffer));
        }
        ack.onCompleted();
      } catch (RuntimeException e) {
        ack.onError(FlightErrors.toFlight(e, "Binding prepared statement parameters"));
      }
    };
  }

  @Override
  public FlightInfo getFlightInfoPreparedStatement(
      CommandPreparedStatementQuery command, CallContext context, FlightDescriptor descriptor) {
    return guard(
        "Flight SQL prepared statement",
        () ->
            statementInfo(
                queries.info(boundSql(command.getPreparedStatementHandle()), descriptor)));
  }

  @Override
  public SchemaResult getSchemaPreparedStatement(
      CommandPreparedStatementQuery command, CallContext context, FlightDescriptor descriptor) {
    return guard(
        "Flight SQL prepared statement schema",
        () ->
            new SchemaResult(
                planner.prepare(open(command.getPreparedStatementHandle()).sql()).schema()));
  }

  @Override
  public void getStreamPreparedStatement(
      CommandPreparedStatementQuery command, CallContext context, ServerStreamListener listener) {
    listener.error(
        CallStatus.INVALID_ARGUMENT
            .withDescription("Read the tickets of the prepared statement's FlightInfo")
            .toRuntimeException());
  }

  /**
   * A handle as the client gets it: signed for the caller when the node signs, so that any node of
   * the cluster accepts it and nobody can edit it or use another user's.
   */
  private ByteString seal(PreparedStatements.Handle handle) {
    ByteString plain = handle.encode();
    if (handles == null) {
      return plain;
    }
    return ByteString.copyFrom(
        handles.sign(new Ticket(plain.toByteArray()), Caller.current().orElse("")).getBytes());
  }

  /**
   * The handle inside what a client sent back.
   *
   * @throws QuiverException INVALID_ARGUMENT for an edited or foreign handle, PERMISSION_DENIED for
   *     another user's or an expired one
   */
  private PreparedStatements.Handle open(ByteString bytes) {
    if (handles == null) {
      return PreparedStatements.Handle.decode(bytes);
    }
    Ticket inner = handles.verify(new Ticket(bytes.toByteArray()), Caller.current().orElse(""));
    return PreparedStatements.Handle.decode(ByteString.copyFrom(inner.getBytes()));
  }

  /** The statement's SQL with its bound values written in. */
  private String boundSql(ByteString bytes) {
    PreparedStatements.Handle handle = open(bytes);
    if (handle.bound() != null) {
      return handle.bound();
    }
    PreparedQuery query = planner.prepare(handle.sql());
    if (!query.parameters().isEmpty()) {
      throw new QuiverException(
          ErrorCode.INVALID_ARGUMENT,
          "The statement has " + query.parameters().size() + " parameter(s) and none were bound");
    }
    return query.sql();
  }

  // Cancellation

  @Override
  public void cancelFlightInfo(
      CancelFlightInfoRequest request, CallContext context, StreamListener<CancelStatus> listener) {
    boolean running;
    try {
      running = queries.cancel(request.getInfo());
    } catch (RuntimeException e) {
      listener.onError(FlightErrors.toFlight(e, "CancelFlightInfo"));
      return;
    }
    listener.onNext(running ? CancelStatus.CANCELLED : CancelStatus.CANCELLING);
    listener.onCompleted();
  }

  @Override
  @SuppressWarnings("deprecation")
  public void cancelQuery(
      FlightInfo info, CallContext context, StreamListener<CancelResult> listener) {
    boolean running;
    try {
      running = queries.cancel(info);
    } catch (RuntimeException e) {
      listener.onError(FlightErrors.toFlight(e, "CancelQuery"));
      return;
    }
    listener.onNext(running ? CancelResult.CANCELLED : CancelResult.CANCELLING);
    listener.onCompleted();
  }

  // Metadata

  @Override
  public void getStreamSqlInfo(
      CommandGetSqlInfo command, CallContext context, ServerStreamListener listener) {
    sqlInfo.send(command.getInfoList(), listener);
  }

  @Override
  public void getStreamTypeInfo(
      CommandGetXdbcTypeInfo command, CallContext context, ServerStreamListener listener) {
    send(
        listener,
        a -> MetadataTables.typeInfo(command.hasDataType() ? command.getDataType() : null, a));
  }

  @Override
  public void getStreamCatalogs(CallContext context, ServerStreamListener listener) {
    send(listener, a -> MetadataTables.empty(Schemas.GET_CATALOGS_SCHEMA, a));
  }

  @Override
  public void getStreamSchemas(
      CommandGetDbSchemas command, CallContext context, ServerStreamListener listener) {
    send(listener, a -> MetadataTables.schemas(command, a));
  }

  @Override
  public void getStreamTables(
      CommandGetTables command, CallContext context, ServerStreamListener listener) {
    send(listener, a -> MetadataTables.tables(command, catalog, a));
  }

  @Override
  public void getStreamTableTypes(CallContext context, ServerStreamListener listener) {
    send(listener, MetadataTables::tableTypes);
  }

  @Override
  public void getStreamPrimaryKeys(
      CommandGetPrimaryKeys command, CallContext context, ServerStreamListener listener) {
    send(listener, a -> MetadataTables.empty(Schemas.GET_PRIMARY_KEYS_SCHEMA, a));
  }

  @Override
  public void getStreamExportedKeys(
      CommandGetExportedKeys command, CallContext context, ServerStreamListener listener) {
    send(listener, a -> MetadataTables.empty(Schemas.GET_EXPORTED_KEYS_SCHEMA, a));
  }

  @Override
  public void getStreamImportedKeys(
      CommandGetImportedKeys command, CallContext context, ServerStreamListener listener) {
    send(listener, a -> MetadataTables.empty(Schemas.GET_IMPORTED_KEYS_SCHEMA, a));
  }

  @Override
  public void getStreamCrossReference(
      CommandGetCrossReference command, CallContext context, ServerStreamListener listener) {
    send(listener, a -> MetadataTables.empty(Schemas.GET_CROSS_REFERENCE_SCHEMA, a));
  }

  @Override
  public void listFlights(
      CallContext context, Criteria criteria, StreamListener<FlightInfo> listener) {
    listener.onCompleted();
  }

  /** Sends one metadata result and frees it. */
  private void send(
      ServerStreamListener listener, Function<BufferAllocator, VectorSchemaRoot> rows) {
    try (VectorSchemaRoot root = rows.apply(allocator)) {
      listener.start(root);
      listener.putNext();
      listener.completed();
    } catch (RuntimeException e) {
      listener.error(FlightErrors.toFlight(e, "Flight SQL metadata"));
    }
  }

  private static <T> T guard(String operation, Supplier<T> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      throw FlightErrors.toFlight(e, operation);
    }
  }

  @Override
  public void close() {
    allocator.close();
  }
}
