package dev.quiver.server.flight;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.parquet.scan.ScanRequest;
import dev.quiver.server.auth.Caller;
import dev.quiver.server.auth.InternalCalls;
import dev.quiver.server.auth.TicketSigner;
import dev.quiver.server.catalog.Catalog;
import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.flightsql.QuiverSqlProducer;
import dev.quiver.server.flightsql.SqlQueries;
import dev.quiver.server.physical.Explainer;
import dev.quiver.server.query.FragmentWorker;
import dev.quiver.server.query.StageScheduler;
import dev.quiver.server.sql.AggregatePlan;
import dev.quiver.server.sql.PlanningLimits;
import dev.quiver.server.sql.QueryPlanner;
import dev.quiver.server.ticket.Tickets;
import dev.quiver.server.tracing.NodeTracing;
import dev.quiver.shuffle.exchange.ExchangeDescriptor;
import dev.quiver.shuffle.objectstore.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.ActionType;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightConstants;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightProducer;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.PollInfo;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.SchemaResult;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.flight.sql.FlightSqlUtils;
import org.apache.arrow.flight.sql.impl.FlightSql;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers plain Flight calls over the catalog: each dataset is a flight whose endpoints are splits
 * of its files, read by {@code DoGet} into bounded Arrow batches.
 *
 * <p>Every stream allocates from its own named child of the root allocator, with a limit, and
 * closes it before the call returns. Streams wait for the client's readiness before each batch and
 * stop when the client cancels or the node shuts down.
 */
public final class QuiverFlightProducer implements FlightProducer, AutoCloseable, SqlQueries {
  private static final Logger LOG = LoggerFactory.getLogger(QuiverFlightProducer.class);

  /** The Flight SQL actions, and the standard cancel, answered by the Flight SQL side. */
  static final List<ActionType> SQL_ACTIONS =
      Stream.concat(
              FlightSqlUtils.FLIGHT_SQL_ACTIONS.stream(),
              Stream.of(FlightConstants.CANCEL_FLIGHT_INFO))
          .toList();

  private final Catalog catalog;
  private final QueryPlanner planner;
  private final FragmentWorker worker;
  private final Cluster cluster;
  private final QuiverSqlProducer sql;
  private final PolledQueries polls;
  private final StreamTracker streams;
  private final FlightInfos infos;
  private final TicketStreams tickets;
  private final NodeActions actions;
  private final Cancellations cancellations;
  private final SharedResults shared;
  private final InternalCalls internal;
  // Tasks carry the submitting thread's trace context (the root context when tracing is off).
  private final ExecutorService executor =
      io.opentelemetry.context.Context.taskWrapping(
          Executors.newCachedThreadPool(
              runnable -> {
                Thread thread = new Thread(runnable, "quiver-stream");
                thread.setDaemon(true);
                return thread;
              }));

  /**
   * Per-stream limits.
   *
   * @param streamMemoryBytes limit of each stream's allocator
   * @param batch rows and bytes of the batches streams send
   * @param splitBytes compressed bytes of row groups per endpoint
   * @param clientTimeout how long to wait for a client to accept the next batch
   * @param concurrentScans how many scan streams read Parquet at once; more wait for a turn
   * @param planning what the node plans at most
   */
  public record Limits(
      long streamMemoryBytes,
      ScanRequest batch,
      long splitBytes,
      Duration clientTimeout,
      int concurrentScans,
      PlanningLimits planning,
      int maxStreamsPerUser) {
    public Limits {
      requireNonNull(planning, "planning is null");
      requireNonNull(batch, "batch is null");
      requireNonNull(clientTimeout, "clientTimeout is null");
      if (concurrentScans < 1) {
        throw new IllegalArgumentException(
            "quiver.concurrent-scans must be at least 1, got " + concurrentScans);
      }
    }
  }

  /**
   * @param root the process's root allocator; the producer only creates children of it
   * @param serving whether the node is serving, for the {@code health} action
   * @param objects the node's shared-memory object store, or null for none; not closed here
   * @param internal who may make the calls between nodes
   */
  public QuiverFlightProducer(
      Catalog catalog,
      BufferAllocator root,
      Limits limits,
      BooleanSupplier serving,
      Cluster cluster,
      FragmentWorker.Settings fragments,
      StageScheduler.Settings coordination,
      ObjectStore objects,
      InternalCalls internal) {
    this.internal = requireNonNull(internal, "internal is null");
    this.catalog = requireNonNull(catalog, "catalog is null");
    requireNonNull(root, "root is null");
    requireNonNull(limits, "limits is null");
    this.streams = new StreamTracker(limits.maxStreamsPerUser());
    this.planner = new QueryPlanner(catalog, limits.planning());
    this.cluster = requireNonNull(cluster, "cluster is null");
    this.worker = new FragmentWorker(catalog, root, cluster, fragments, objects);
    StageScheduler coordinator = new StageScheduler(worker, cluster, executor, coordination, root);
    ClusterFlights flights =
        new ClusterFlights(cluster, coordination.sharedDatasets(), fragments.peerTimeout());
    this.polls = new PolledQueries(fragments.fragmentTtl());
    this.infos =
        new FlightInfos(
            catalog,
            planner,
            cluster,
            flights,
            limits.splitBytes(),
            fragments.peerTimeout(),
            coordinator);
    this.tickets =
        new TicketStreams(
            catalog,
            planner,
            root,
            limits,
            cluster,
            worker,
            coordinator,
            executor,
            streams,
            polls,
            new Explainer(
                cluster,
                coordination.sharedDatasets(),
                coordination.splitBytes(),
                coordination.gatherThresholdBytes()));
    this.actions = new NodeActions(catalog, serving, worker, infos, cluster, streams);
    this.cancellations = new Cancellations(cluster, streams, polls, worker, internal.tickets());
    // Prepared-statement handles are signed like tickets, but live as long as a connection pool
    // keeps its statements.
    this.sql =
        new QuiverSqlProducer(
            catalog,
            planner,
            this,
            root,
            version(),
            internal.tickets().map(t -> t.withTtl(Duration.ofDays(7))).orElse(null));
    this.shared =
        objects == null
            ? null
            : new SharedResults(objects, this, cluster, executor, fragments.peerTimeout());
  }

  /** The node's SQL planner. */
  public QueryPlanner planner() {
    return planner;
  }

  /** This node's part of distributed queries. */
  public FragmentWorker worker() {
    return worker;
  }

  @Override
  public void listFlights(
      CallContext context, Criteria criteria, StreamListener<FlightInfo> listener) {
    answer(context, () -> list(context, criteria, listener));
  }

  private void list(CallContext context, Criteria criteria, StreamListener<FlightInfo> listener) {
    try {
      String prefix = new String(criteria.getExpression(), StandardCharsets.UTF_8);
      for (String name : catalog.names()) {
        if (name.startsWith(prefix)) {
          listener.onNext(signed(infos.clusterWide(catalog.require(name)), context));
        }
      }
      listener.onCompleted();
    } catch (RuntimeException e) {
      listener.onError(FlightErrors.toFlight(e, "ListFlights"));
    }
  }

  @Override
  public FlightInfo getFlightInfo(CallContext context, FlightDescriptor descriptor) {
    return answer(context, () -> flightInfo(context, descriptor));
  }

  private FlightInfo flightInfo(CallContext context, FlightDescriptor descriptor) {
    if (descriptor.isCommand() && QuiverSqlProducer.isFlightSql(descriptor.getCommand())) {
      return signed(sql.getFlightInfo(context, descriptor), context);
    }
    try {
      if (descriptor.isCommand()) {
        return signed(info(sql(descriptor), descriptor), context);
      }
      return signed(infos.clusterWide(dataset(descriptor)), context);
    } catch (RuntimeException e) {
      throw FlightErrors.toFlight(e, "GetFlightInfo");
    }
  }

  /**
   * Answers a call as its caller ({@link Caller}, for dataset rules) within its trace span (so that
   * the calls it makes to peers continue the trace).
   */
  private <T> T answer(CallContext context, java.util.function.Supplier<T> work) {
    try {
      internal.checkCaller(context);
    } catch (RuntimeException e) {
      throw FlightErrors.toFlight(e, "The call");
    }
    return NodeTracing.within(context, () -> Caller.as(context.peerIdentity(), work));
  }

  private void answer(CallContext context, Runnable work) {
    answer(
        context,
        () -> {
          work.run();
          return null;
        });
  }

  /**
   * {@code info} with every ticket signed for the caller, when the node signs tickets: the client
   * can read them, on this node or the others, and nobody else can.
   */
  private FlightInfo signed(FlightInfo info, CallContext context) {
    if (info == null || internal.tickets().isEmpty()) {
      return info;
    }
    TicketSigner signer = internal.tickets().get();
    List<FlightEndpoint> endpoints = new ArrayList<>(info.getEndpoints().size());
    for (FlightEndpoint endpoint : info.getEndpoints()) {
      FlightEndpoint.Builder signedEndpoint =
          FlightEndpoint.builder(
                  signer.sign(endpoint.getTicket(), context.peerIdentity()),
                  endpoint.getLocations().toArray(new Location[0]))
              .setAppMetadata(endpoint.getAppMetadata());
      endpoint.getExpirationTime().ifPresent(signedEndpoint::setExpirationTime);
      endpoints.add(signedEndpoint.build());
    }
    FlightInfo.Builder signedInfo =
        FlightInfo.builder(info.getSchema(), info.getDescriptor(), endpoints)
            .setBytes(info.getBytes())
            .setRecords(info.getRecords())
            .setOrdered(info.getOrdered());
    if (info.getAppMetadata() != null) {
      signedInfo.setAppMetadata(info.getAppMetadata());
    }
    return signedInfo.build();
  }

  /** The ticket inside a signed one, if the caller may read it; {@code ticket} when unsigned. */
  private Ticket verified(Ticket ticket, CallContext context) {
    return internal.tickets().map(s -> s.verify(ticket, context.peerIdentity())).orElse(ticket);
  }

  /**
   * A query's FlightInfo: endpoints on every node holding data for a scan, one endpoint on this
   * node (the coordinator) for an aggregation.
   */
  @Override
  public FlightInfo info(String text, FlightDescriptor descriptor) {
    return infos.info(text, descriptor);
  }

  @Override
  public Schema schema(String text) {
    return planner.plan(text).schema();
  }

  @Override
  public boolean cancel(FlightInfo info) {
    return cancellations.cancel(info);
  }

  /** A statement's Quiver ticket, from inside a Flight SQL ticket already checked. */
  @Override
  public void stream(CallContext context, Ticket ticket, ServerStreamListener listener) {
    route(context, ticket, listener);
  }

  /**
   * Long queries through polling. An aggregation starts on the first poll and runs in the
   * background; each poll reports its progress and the descriptor to poll again, and the last one
   * the FlightInfo that reads the answer. A scan needs no work before its streams start: the first
   * poll answers with its complete FlightInfo.
   */
  @Override
  public PollInfo pollFlightInfo(CallContext context, FlightDescriptor descriptor) {
    return answer(context, () -> poll(context, descriptor));
  }

  private PollInfo poll(CallContext context, FlightDescriptor received) {
    try {
      FlightDescriptor descriptor = openedPollDescriptor(received, context);
      String pollId =
          descriptor.isCommand() ? PolledQueries.id(descriptor.getCommand(), "poll") : null;
      if (pollId != null) {
        return signed(polls.pollInfo(polls.require(pollId), cluster.self()), context);
      }
      String text = descriptor.isCommand() ? statementText(descriptor.getCommand()) : null;
      if (text != null && planner.plan(text) instanceof AggregatePlan plan) {
        return signed(
            polls.pollInfo(tickets.startPolled(plan, descriptor), cluster.self()), context);
      }
      return new PollInfo(getFlightInfo(context, descriptor), null, 1.0, null);
    } catch (RuntimeException e) {
      throw FlightErrors.toFlight(e, "PollFlightInfo");
    }
  }

  /**
   * {@code poll} with its FlightInfo's tickets and its next poll descriptor signed for the caller:
   * another user can neither poll the query nor read its answer.
   */
  private PollInfo signed(PollInfo poll, CallContext context) {
    if (internal.tickets().isEmpty()) {
      return poll;
    }
    TicketSigner signer = internal.tickets().get();
    FlightDescriptor next =
        poll.getFlightDescriptor()
            .map(
                d ->
                    d.isCommand()
                        ? FlightDescriptor.command(
                            signer
                                .sign(new Ticket(d.getCommand()), context.peerIdentity())
                                .getBytes())
                        : d)
            .orElse(null);
    return new PollInfo(
        poll.getFlightInfo() == null ? null : signed(poll.getFlightInfo(), context),
        next,
        poll.getProgress().orElse(null),
        poll.getExpirationTime().orElse(null));
  }

  /**
   * The poll descriptor inside a signed one, checked like a ticket; an unsigned poll descriptor
   * only from the cluster's own nodes. Other descriptors (a query to start) pass unchanged.
   */
  private FlightDescriptor openedPollDescriptor(FlightDescriptor descriptor, CallContext context) {
    if (internal.tickets().isEmpty() || !descriptor.isCommand()) {
      return descriptor;
    }
    byte[] command = descriptor.getCommand();
    if (TicketSigner.isSigned(command)) {
      return FlightDescriptor.command(
          internal.tickets().get().verify(new Ticket(command), context.peerIdentity()).getBytes());
    }
    if (PolledQueries.id(command, "poll") != null
        && !dev.quiver.server.auth.NodeAuthenticator.PEER.equals(context.peerIdentity())) {
      throw new QuiverException(
          ErrorCode.PERMISSION_DENIED,
          "The poll descriptor is not one this cluster issued: poll with the descriptor of the"
              + " last PollInfo");
    }
    return descriptor;
  }

  /** The SQL of a plain command or of a Flight SQL statement; null for other commands. */
  private static String statementText(byte[] command) {
    if (!QuiverSqlProducer.isFlightSql(command)) {
      return new String(command, StandardCharsets.UTF_8);
    }
    try {
      Any any = Any.parseFrom(command);
      if (any.is(FlightSql.CommandStatementQuery.class)) {
        return any.unpack(FlightSql.CommandStatementQuery.class).getQuery();
      }
    } catch (InvalidProtocolBufferException e) {
      // Not a statement.
    }
    return null;
  }

  @Override
  public SchemaResult getSchema(CallContext context, FlightDescriptor descriptor) {
    return answer(context, () -> schemaResult(context, descriptor));
  }

  private SchemaResult schemaResult(CallContext context, FlightDescriptor descriptor) {
    if (descriptor.isCommand() && QuiverSqlProducer.isFlightSql(descriptor.getCommand())) {
      return sql.getSchema(context, descriptor);
    }
    try {
      if (descriptor.isCommand()) {
        return new SchemaResult(planner.plan(sql(descriptor)).schema());
      }
      return new SchemaResult(dataset(descriptor).schema());
    } catch (RuntimeException e) {
      throw FlightErrors.toFlight(e, "GetSchema");
    }
  }

  @Override
  public void getStream(CallContext context, Ticket signedTicket, ServerStreamListener listener) {
    answer(context, () -> read(context, signedTicket, listener));
  }

  private void read(CallContext context, Ticket signedTicket, ServerStreamListener listener) {
    Ticket ticket;
    try {
      ticket = verified(signedTicket, context);
    } catch (RuntimeException e) {
      listener.error(FlightErrors.toFlight(e, "DoGet"));
      return;
    }
    route(context, ticket, listener);
  }

  /** Streams a ticket whose signature, if the node signs tickets, was checked. */
  private void route(CallContext context, Ticket ticket, ServerStreamListener listener) {
    if (QuiverSqlProducer.isFlightSql(ticket.getBytes())) {
      sql.getStream(context, ticket, listener);
      return;
    }
    try {
      if (internal.enabled() && Tickets.isInternal(ticket)) {
        internal.check(context, "DoGet of a fragment's partial or final groups");
      }
    } catch (RuntimeException e) {
      listener.error(FlightErrors.toFlight(e, "DoGet"));
      return;
    }
    tickets.getStream(ticket, listener);
  }

  /**
   * Receives one partition of another node's partial groups for a query whose partition this node
   * owns. Datasets themselves are read-only: any other {@code DoPut} is UNIMPLEMENTED.
   */
  @Override
  public Runnable acceptPut(
      CallContext context, FlightStream flightStream, StreamListener<PutResult> ackStream) {
    return () -> answer(context, () -> put(context, flightStream, ackStream));
  }

  private void put(
      CallContext context, FlightStream flightStream, StreamListener<PutResult> ackStream) {
    FlightDescriptor descriptor = flightStream.getDescriptor();
    if (descriptor.isCommand() && QuiverSqlProducer.isFlightSql(descriptor.getCommand())) {
      sql.acceptPut(context, flightStream, ackStream).run();
      return;
    }
    if (!ExchangeDescriptor.isExchange(descriptor)) {
      ackStream.onError(
          CallStatus.UNIMPLEMENTED
              .withDescription("DoPut is not supported: Quiver datasets are read-only")
              .toRuntimeException());
      return;
    }
    try {
      internal.check(context, "DoPut into an exchange");
      ExchangeDescriptor exchange = exchange(descriptor);
      long bytes = worker.acceptExchange(exchange, flightStream);
      LOG.debug(
          "Query {}: received {} bytes of partition {} from {}",
          exchange.query(),
          bytes,
          exchange.partition(),
          exchange.sender());
      ackStream.onCompleted();
    } catch (Throwable e) {
      ackStream.onError(FlightErrors.toFlight(e, "Exchange " + descriptor.getPath()));
    }
  }

  @Override
  public void doExchange(CallContext context, FlightStream reader, ServerStreamListener writer) {
    writer.error(
        CallStatus.UNIMPLEMENTED
            .withDescription("DoExchange is not supported by this node")
            .toRuntimeException());
  }

  @Override
  public void doAction(CallContext context, Action received, StreamListener<Result> listener) {
    answer(context, () -> act(context, received, listener));
  }

  private void act(CallContext context, Action action, StreamListener<Result> listener) {
    if (SQL_ACTIONS.stream().anyMatch(a -> a.getType().equals(action.getType()))) {
      sql.doAction(context, action, listener);
      return;
    }
    if (NodeActions.isInternal(action.getType())) {
      try {
        internal.check(context, "DoAction " + action.getType());
      } catch (RuntimeException e) {
        listener.onError(FlightErrors.toFlight(e, "DoAction " + action.getType()));
        return;
      }
    }
    if (SharedResults.handles(action.getType())) {
      if (shared == null) {
        listener.onError(
            CallStatus.UNIMPLEMENTED
                .withDescription("This node has no shared-memory object store (quiver.shm)")
                .toRuntimeException());
        return;
      }
      shared.doAction(context, action, listener);
      return;
    }
    actions.doAction(action, listener);
  }

  @Override
  public void listActions(CallContext context, StreamListener<ActionType> listener) {
    NodeActions.ACTIONS.forEach(listener::onNext);
    SQL_ACTIONS.forEach(listener::onNext);
    if (shared != null) {
      SharedResults.ACTIONS.forEach(listener::onNext);
    }
    listener.onCompleted();
  }

  /** Stops streams that are still running and waits up to {@code timeout} for them to end. */
  public boolean stopStreams(Duration timeout) {
    return streams.stopAndAwait(timeout);
  }

  /** Number of streams being served right now. */
  public int activeStreams() {
    return streams.active();
  }

  /** Stops remaining streams, frees every query fragment and stops the stream executor. */
  @Override
  public void close() {
    stopStreams(Duration.ofSeconds(5));
    polls.close();
    worker.close();
    sql.close();
    executor.shutdownNow();
  }

  private Dataset dataset(FlightDescriptor descriptor) {
    List<String> path = descriptor.getPath();
    if (path.size() != 1) {
      throw new QuiverException(
          ErrorCode.INVALID_ARGUMENT,
          "Descriptor path must be [dataset], got "
              + path
              + "; datasets are: "
              + String.join(", ", catalog.names()));
    }
    return catalog.require(path.get(0));
  }

  /** This build's version, as Flight SQL clients see it. */
  private static String version() {
    String version = QuiverFlightProducer.class.getPackage().getImplementationVersion();
    return version == null ? "0.1.0-SNAPSHOT" : version;
  }

  private static ExchangeDescriptor exchange(FlightDescriptor descriptor) {
    try {
      return ExchangeDescriptor.of(descriptor);
    } catch (IllegalArgumentException e) {
      throw new QuiverException(ErrorCode.INVALID_ARGUMENT, e.getMessage());
    }
  }

  private static String sql(FlightDescriptor descriptor) {
    return new String(descriptor.getCommand(), StandardCharsets.UTF_8);
  }
}
