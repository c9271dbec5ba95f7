package dev.quiver.server.flight;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.parquet.scan.ScanRequest;
import dev.quiver.server.auth.InternalCalls;
import dev.quiver.server.catalog.Catalog;
import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.flightsql.QuiverSqlProducer;
import dev.quiver.server.flightsql.SqlQueries;
import dev.quiver.server.query.AggregateCoordinator;
import dev.quiver.server.query.DistributedSort;
import dev.quiver.server.query.FragmentWorker;
import dev.quiver.server.sql.AggregatePlan;
import dev.quiver.server.sql.QueryPlanner;
import dev.quiver.server.ticket.Tickets;
import dev.quiver.shuffle.exchange.ExchangeDescriptor;
import dev.quiver.shuffle.objectstore.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightProducer;
import org.apache.arrow.flight.FlightStream;
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
  private final StreamTracker streams = new StreamTracker();
  private final FlightInfos infos;
  private final TicketStreams tickets;
  private final NodeActions actions;
  private final Cancellations cancellations;
  private final SharedResults shared;
  private final InternalCalls internal;
  private final ExecutorService executor =
      Executors.newCachedThreadPool(
          runnable -> {
            Thread thread = new Thread(runnable, "quiver-stream");
            thread.setDaemon(true);
            return thread;
          });

  /**
   * Per-stream limits.
   *
   * @param streamMemoryBytes limit of each stream's allocator
   * @param batch rows and bytes of the batches streams send
   * @param splitBytes compressed bytes of row groups per endpoint
   * @param clientTimeout how long to wait for a client to accept the next batch
   * @param concurrentScans how many scan streams read Parquet at once; more wait for a turn
   * @param maxSqlBytes the longest SQL text a node plans
   */
  public record Limits(
      long streamMemoryBytes,
      ScanRequest batch,
      long splitBytes,
      Duration clientTimeout,
      int concurrentScans,
      long maxSqlBytes) {
    public Limits {
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
      AggregateCoordinator.Settings coordination,
      ObjectStore objects,
      InternalCalls internal) {
    this.internal = requireNonNull(internal, "internal is null");
    this.catalog = requireNonNull(catalog, "catalog is null");
    requireNonNull(root, "root is null");
    requireNonNull(limits, "limits is null");
    this.planner = new QueryPlanner(catalog, limits.maxSqlBytes());
    this.cluster = requireNonNull(cluster, "cluster is null");
    this.worker = new FragmentWorker(catalog, root, cluster, fragments, objects);
    AggregateCoordinator coordinator =
        new AggregateCoordinator(worker, cluster, executor, coordination);
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
            new DistributedSort(worker, cluster, executor, coordination, root));
    this.tickets =
        new TicketStreams(
            catalog, planner, root, limits, cluster, worker, coordinator, executor, streams, polls);
    this.actions = new NodeActions(catalog, serving, worker, infos, cluster);
    this.cancellations = new Cancellations(cluster, streams, polls, worker);
    this.sql = new QuiverSqlProducer(catalog, planner, this, root, version());
    this.shared =
        objects == null
            ? null
            : new SharedResults(objects, this, cluster, executor, fragments.peerTimeout());
  }

  /** This node's part of distributed queries. */
  public FragmentWorker worker() {
    return worker;
  }

  @Override
  public void listFlights(
      CallContext context, Criteria criteria, StreamListener<FlightInfo> listener) {
    try {
      String prefix = new String(criteria.getExpression(), StandardCharsets.UTF_8);
      for (String name : catalog.names()) {
        if (name.startsWith(prefix)) {
          listener.onNext(infos.clusterWide(catalog.require(name)));
        }
      }
      listener.onCompleted();
    } catch (RuntimeException e) {
      listener.onError(FlightErrors.toFlight(e, "ListFlights"));
    }
  }

  @Override
  public FlightInfo getFlightInfo(CallContext context, FlightDescriptor descriptor) {
    if (descriptor.isCommand() && QuiverSqlProducer.isFlightSql(descriptor.getCommand())) {
      return sql.getFlightInfo(context, descriptor);
    }
    try {
      if (descriptor.isCommand()) {
        return info(sql(descriptor), descriptor);
      }
      return infos.clusterWide(dataset(descriptor));
    } catch (RuntimeException e) {
      throw FlightErrors.toFlight(e, "GetFlightInfo");
    }
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

  @Override
  public void stream(CallContext context, Ticket ticket, ServerStreamListener listener) {
    getStream(context, ticket, listener);
  }

  /**
   * Long queries through polling. An aggregation starts on the first poll and runs in the
   * background; each poll reports its progress and the descriptor to poll again, and the last one
   * the FlightInfo that reads the answer. A scan needs no work before its streams start: the first
   * poll answers with its complete FlightInfo.
   */
  @Override
  public PollInfo pollFlightInfo(CallContext context, FlightDescriptor descriptor) {
    try {
      String pollId =
          descriptor.isCommand() ? PolledQueries.id(descriptor.getCommand(), "poll") : null;
      if (pollId != null) {
        return polls.pollInfo(polls.require(pollId), cluster.self());
      }
      String text = descriptor.isCommand() ? statementText(descriptor.getCommand()) : null;
      if (text != null && planner.plan(text) instanceof AggregatePlan plan) {
        return polls.pollInfo(tickets.startPolled(plan, descriptor), cluster.self());
      }
      return new PollInfo(getFlightInfo(context, descriptor), null, 1.0, null);
    } catch (RuntimeException e) {
      throw FlightErrors.toFlight(e, "PollFlightInfo");
    }
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
  public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
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
    return () -> {
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
    };
  }

  @Override
  public void doExchange(CallContext context, FlightStream reader, ServerStreamListener writer) {
    writer.error(
        CallStatus.UNIMPLEMENTED
            .withDescription("DoExchange is not supported by this node")
            .toRuntimeException());
  }

  @Override
  public void doAction(CallContext context, Action action, StreamListener<Result> listener) {
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
      shared.doAction(action, listener);
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
