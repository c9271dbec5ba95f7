package dev.quiver.server.flight;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.quiver.parquet.dataset.DataFile;
import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.parquet.scan.FileSplit;
import dev.quiver.parquet.scan.ScanRequest;
import dev.quiver.parquet.scan.ScanStatistics;
import dev.quiver.server.catalog.Catalog;
import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.flightsql.QuiverSqlProducer;
import dev.quiver.server.flightsql.SqlQueries;
import dev.quiver.server.query.AggregateCoordinator;
import dev.quiver.server.query.CoordinatedResult;
import dev.quiver.server.query.FragmentProtocol;
import dev.quiver.server.query.FragmentWorker;
import dev.quiver.server.query.PeerCalls;
import dev.quiver.server.sql.AggregatePlan;
import dev.quiver.server.sql.Query;
import dev.quiver.server.sql.QueryExecution;
import dev.quiver.server.sql.QueryPlan;
import dev.quiver.server.sql.QueryPlanner;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.ActionType;
import org.apache.arrow.flight.BackpressureStrategy;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.CancelFlightInfoRequest;
import org.apache.arrow.flight.CancelStatus;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightConstants;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightProducer;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.PollInfo;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.SchemaResult;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.flight.sql.FlightSqlUtils;
import org.apache.arrow.flight.sql.impl.FlightSql;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.types.pojo.Field;
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
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The actions this node answers, as {@code ListActions} reports them. */
  static final List<ActionType> ACTIONS =
      List.of(
          new ActionType("health", "The node's serving status and dataset count, as JSON"),
          new ActionType(
              "datasets",
              "The catalog: every dataset with files, rows, bytes and columns, as JSON"),
          new ActionType(
              FragmentProtocol.PARTIAL,
              "Internal, between nodes: scan and aggregate this node's part of a query"),
          new ActionType(
              FragmentProtocol.SHUFFLE,
              "Internal, between nodes: send a query's partial groups to their owners"),
          new ActionType(
              FragmentProtocol.RELEASE, "Internal, between nodes: free a query's memory"),
          new ActionType(
              ClusterFlights.LOCAL_INFO,
              "Internal, between nodes: this node's own endpoints of a dataset or scan query"),
          new ActionType(
              QuiverFlightProducer.FORWARDED_INFO,
              "Internal, between nodes: plan a query for a node that lacks its dataset"));

  /** Internal action: plan a query here for a node that does not serve its dataset. */
  static final String FORWARDED_INFO = "forwarded-flight-info";

  /** The Flight SQL actions, and the standard cancel, answered by the Flight SQL side. */
  static final List<ActionType> SQL_ACTIONS =
      Stream.concat(
              FlightSqlUtils.FLIGHT_SQL_ACTIONS.stream(),
              Stream.of(FlightConstants.CANCEL_FLIGHT_INFO))
          .toList();

  private final Catalog catalog;
  private final BufferAllocator root;
  private final Limits limits;
  private final BooleanSupplier serving;
  private final QueryPlanner planner;
  private final FragmentWorker worker;
  private final AggregateCoordinator coordinator;
  private final Cluster cluster;
  private final ClusterFlights flights;
  private final QuiverSqlProducer sql;
  private final PolledQueries polls;
  private final StreamTracker streams = new StreamTracker();
  private final AtomicLong streamIds = new AtomicLong();
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
   */
  public record Limits(
      long streamMemoryBytes, ScanRequest batch, long splitBytes, Duration clientTimeout) {
    public Limits {
      requireNonNull(batch, "batch is null");
      requireNonNull(clientTimeout, "clientTimeout is null");
    }
  }

  /**
   * @param root the process's root allocator; the producer only creates children of it
   * @param serving whether the node is serving, for the {@code health} action
   */
  public QuiverFlightProducer(
      Catalog catalog,
      BufferAllocator root,
      Limits limits,
      BooleanSupplier serving,
      Cluster cluster,
      FragmentWorker.Settings fragments,
      AggregateCoordinator.Settings coordination) {
    this.catalog = requireNonNull(catalog, "catalog is null");
    this.root = requireNonNull(root, "root is null");
    this.limits = requireNonNull(limits, "limits is null");
    this.serving = requireNonNull(serving, "serving is null");
    this.planner = new QueryPlanner(catalog);
    this.cluster = requireNonNull(cluster, "cluster is null");
    this.worker = new FragmentWorker(catalog, root, cluster, fragments);
    this.coordinator = new AggregateCoordinator(worker, cluster, executor, coordination);
    this.flights =
        new ClusterFlights(cluster, coordination.sharedDatasets(), fragments.peerTimeout());
    this.sql = new QuiverSqlProducer(catalog, this, root, version());
    this.polls = new PolledQueries(fragments.fragmentTtl());
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
          Dataset dataset = catalog.require(name);
          listener.onNext(
              flights.clusterWide(
                  flightInfo(dataset), dataset, new ClusterFlights.LocalInfoRequest(name, null)));
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
      Dataset dataset = dataset(descriptor);
      return flights.clusterWide(
          flightInfo(dataset), dataset, new ClusterFlights.LocalInfoRequest(dataset.name(), null));
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
    try {
      return infoHere(text, descriptor);
    } catch (QuiverException e) {
      if (isUnknownDataset(e) && !cluster.peers().isEmpty()) {
        return infoFromPeer(text, descriptor, e);
      }
      throw e;
    }
  }

  /**
   * A query over a dataset this node does not serve (its folder is still empty, say) is planned by
   * a peer that does: the FlightInfo's endpoints are on that peer, which coordinates it.
   */
  private FlightInfo infoFromPeer(
      String text, FlightDescriptor descriptor, QuiverException unknown) {
    for (Location peer : cluster.peers()) {
      try {
        byte[] serialized =
            PeerCalls.actionBytes(
                cluster,
                peer,
                FORWARDED_INFO,
                new ClusterFlights.LocalInfoRequest(null, text),
                worker.settings().peerTimeout());
        FlightInfo there = FlightInfo.deserialize(ByteBuffer.wrap(serialized));
        List<FlightEndpoint> endpoints = new ArrayList<>();
        for (FlightEndpoint endpoint : there.getEndpoints()) {
          endpoints.add(
              endpoint.getLocations().isEmpty()
                  ? new FlightEndpoint(endpoint.getTicket(), peer)
                  : endpoint);
        }
        LOG.info("Planned {} on {}, which serves its dataset", abbreviate(text), peer.getUri());
        return new FlightInfo(
            there.getSchema(),
            descriptor,
            endpoints,
            there.getBytes(),
            there.getRecords(),
            false,
            IpcOption.DEFAULT,
            there.getAppMetadata());
      } catch (QuiverException e) {
        if (!isUnknownDataset(e)) {
          throw e;
        }
      } catch (IOException | URISyntaxException e) {
        throw new QuiverException(
            ErrorCode.INTERNAL, "Peer " + peer.getUri() + " sent an unreadable FlightInfo: " + e);
      }
    }
    throw unknown;
  }

  private static boolean isUnknownDataset(QuiverException e) {
    return e.code() == ErrorCode.INVALID_ARGUMENT && e.getMessage().startsWith("Unknown dataset");
  }

  /** A query's FlightInfo as this node plans it, never asking a peer to plan it instead. */
  private FlightInfo infoHere(String text, FlightDescriptor descriptor) {
    Query query = planner.plan(text);
    if (query instanceof QueryPlan scan) {
      FlightInfo wide =
          flights.clusterWide(
              queryInfo(scan, descriptor),
              scan.dataset(),
              new ClusterFlights.LocalInfoRequest(null, scan.sql()));
      boolean ordered = !scan.order().isEmpty();
      if ((ordered || scan.limit().isPresent()) && wide.getEndpoints().size() > 1) {
        if (ordered && scan.order().stream().anyMatch(k -> k.column() >= scan.outputCount())) {
          throw new QuiverException(
              ErrorCode.UNIMPLEMENTED,
              "ORDER BY a column that is not selected is supported on one node only so far;"
                  + " add it to the select list");
        }
        return GatheredScan.info(
            wide, scan.order(), scan.limit().orElse(Long.MAX_VALUE), cluster.self());
      }
      return wide;
    }
    return aggregateInfo((AggregatePlan) query, descriptor);
  }

  @Override
  public Schema schema(String text) {
    return planner.plan(text).schema();
  }

  @Override
  public boolean cancel(FlightInfo info) {
    boolean running = false;
    String polled = PolledQueries.id(info.getAppMetadata(), "poll");
    if (polled != null) {
      running |= polls.cancel(polled);
    }
    Map<Location, List<FlightEndpoint>> elsewhere = new LinkedHashMap<>();
    for (FlightEndpoint endpoint : info.getEndpoints()) {
      List<Location> locations = endpoint.getLocations();
      if (locations.isEmpty() || cluster.isSelf(locations.get(0))) {
        running |= streams.cancel(QuiverSqlProducer.quiverTicket(endpoint.getTicket()).getBytes());
      } else {
        elsewhere.computeIfAbsent(locations.get(0), l -> new ArrayList<>()).add(endpoint);
      }
    }
    for (Map.Entry<Location, List<FlightEndpoint>> peer : elsewhere.entrySet()) {
      FlightInfo part =
          new FlightInfo(info.getSchema(), info.getDescriptor(), peer.getValue(), -1, -1);
      try {
        running |=
            cluster
                    .client(peer.getKey())
                    .cancelFlightInfo(
                        new CancelFlightInfoRequest(part), PeerCalls.timeout(Duration.ofSeconds(5)))
                    .getStatus()
                == CancelStatus.CANCELLED;
      } catch (FlightRuntimeException e) {
        LOG.info("Cancel on {} failed: {}", peer.getKey().getUri(), e.getMessage());
      }
    }
    return running;
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
        return polls.pollInfo(startPolled(plan, descriptor), cluster.self());
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

  /** Starts an aggregation in the background for polling clients. */
  private PolledQueries.Polled startPolled(AggregatePlan plan, FlightDescriptor descriptor) {
    String queryId = PolledQueries.newId();
    BufferAllocator allocator =
        root.newChildAllocator(
            "query-" + queryId + "-poll", 0, worker.settings().queryMemoryBytes());
    PolledQueries.Polled polled = polls.add(plan, descriptor, allocator, queryId);
    try {
      executor.execute(
          () -> {
            try {
              polled.result.complete(
                  coordinator.run(
                      queryId,
                      plan,
                      allocator,
                      () -> polled.cancelled || streams.isStopping(),
                      progress -> polled.progress = progress,
                      true));
            } catch (Throwable e) {
              polled.result.completeExceptionally(e);
            }
          });
    } catch (RejectedExecutionException e) {
      polls.cancel(queryId);
      throw new QuiverException(
          ErrorCode.UNAVAILABLE, "The node is shutting down; retry on another node");
    }
    return polled;
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

  /**
   * Starts a stream and returns at once: the batches are produced on the producer's stream
   * executor, because gRPC delivers the readiness and cancel callbacks that backpressure waits for
   * on the calling thread, which must therefore not block.
   */
  @Override
  public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
    if (QuiverSqlProducer.isFlightSql(ticket.getBytes())) {
      sql.getStream(context, ticket, listener);
      return;
    }
    StreamTracker.Registration registration = streams.register(ticket.getBytes());
    String operation = "DoGet";
    try {
      if (GatheredScan.is(ticket.getBytes())) {
        BackpressureStrategy backpressure = new BackpressureStrategy.CallbackBackpressureStrategy();
        backpressure.register(listener);
        String name = "stream-" + streamIds.incrementAndGet();
        executor.execute(
            () -> {
              try (registration;
                  BufferAllocator allocator =
                      root.newChildAllocator(name, 0, limits.streamMemoryBytes())) {
                GatheredScan.stream(
                    ticket.getBytes(),
                    cluster,
                    allocator,
                    listener,
                    backpressure,
                    limits.clientTimeout(),
                    worker.settings().peerTimeout(),
                    () -> listener.isCancelled() || registration.isCancelled());
              } catch (Throwable e) {
                listener.error(FlightErrors.toFlight(e, "DoGet of a scan with ORDER BY or LIMIT"));
              }
            });
        return;
      }
      String polledId = PolledQueries.id(ticket.getBytes(), "result");
      if (polledId != null) {
        PolledQueries.Polled polled = polls.take(polledId);
        String described = "DoGet of the answer of polled query " + polledId;
        BackpressureStrategy backpressure = new BackpressureStrategy.CallbackBackpressureStrategy();
        backpressure.register(listener);
        executor.execute(
            () -> {
              try (registration) {
                CoordinatedResult answer = polled.result.join();
                sendAnswer(polled.plan, answer, polled.allocator, listener, backpressure, polledId);
              } catch (Throwable e) {
                listener.error(FlightErrors.toFlight(e, described));
              } finally {
                polled.release();
              }
            });
        return;
      }
      if (FragmentProtocol.isFragmentTicket(ticket.getBytes())) {
        FragmentProtocol.FragmentTicket fragment =
            FragmentProtocol.decode(ticket.getBytes(), FragmentProtocol.FragmentTicket.class);
        String described =
            "DoGet of the " + fragment.stage() + " result of query " + fragment.fragment();
        executor.execute(
            () -> {
              try (registration) {
                if (FragmentProtocol.FragmentTicket.FINAL.equals(fragment.stage())) {
                  worker.streamOwnedResult(fragment.fragment(), listener);
                } else if (FragmentProtocol.FragmentTicket.ANSWER.equals(fragment.stage())) {
                  worker.streamOwnedAnswer(fragment.fragment(), listener);
                } else {
                  worker.streamPartial(fragment.fragment(), listener);
                }
              } catch (Throwable e) {
                listener.error(FlightErrors.toFlight(e, described));
              }
            });
        return;
      }
      ScanTicket scan = ScanTicket.from(ticket);
      operation = "DoGet of dataset '" + scan.dataset() + "'";
      Dataset dataset = catalog.require(scan.dataset());
      QueryPlan plan;
      List<FileSplit> splits;
      if (scan.sql() != null) {
        Query query = planner.plan(scan.sql());
        if (!query.dataset().name().equals(dataset.name())) {
          throw new QuiverException(
              ErrorCode.INVALID_ARGUMENT, "Ticket's query does not read dataset " + dataset.name());
        }
        operation = "DoGet of query " + abbreviate(scan.sql());
        if (query instanceof AggregatePlan aggregate) {
          coordinate(aggregate, operation, listener, registration);
          return;
        }
        plan = (QueryPlan) query;
        splits =
            scan.allFiles()
                ? plan.candidateFiles().stream()
                    .map(f -> new FileSplit(f, 0, f.rowGroups().size()))
                    .toList()
                : List.of(scan.toSplit(dataset));
      } else {
        FileSplit split = scan.toSplit(dataset);
        plan = QueryPlan.columns(dataset, scan.columns());
        splits = List.of(split);
      }
      BackpressureStrategy backpressure = new BackpressureStrategy.CallbackBackpressureStrategy();
      backpressure.register(listener);
      String name = "stream-" + streamIds.incrementAndGet();
      String described = operation;
      executor.execute(
          () -> {
            try (registration) {
              ScanStatistics statistics =
                  stream(plan, splits, name, listener, backpressure, registration);
              LOG.info("{} {} done: {}", name, described, statistics);
            } catch (Throwable e) {
              listener.error(FlightErrors.toFlight(e, described));
            }
          });
    } catch (RejectedExecutionException e) {
      registration.close();
      listener.error(
          FlightErrors.toFlight(
              new QuiverException(
                  ErrorCode.UNAVAILABLE, "The node is shutting down; retry on another node"),
              operation));
    } catch (Throwable e) {
      registration.close();
      listener.error(FlightErrors.toFlight(e, operation));
    }
  }

  private ScanStatistics stream(
      QueryPlan plan,
      List<FileSplit> splits,
      String name,
      ServerStreamListener listener,
      BackpressureStrategy backpressure,
      StreamTracker.Registration registration) {
    try (BufferAllocator allocator = root.newChildAllocator(name, 0, limits.streamMemoryBytes());
        QueryExecution execution = new QueryExecution(plan, splits, limits.batch(), allocator)) {
      listener.start(execution.root());
      while (execution.next()) {
        if (registration.isStopped()) {
          throw new QuiverException(
              ErrorCode.UNAVAILABLE, "The node is shutting down; retry on another node");
        }
        if (registration.isCancelled()) {
          throw new QuiverException(ErrorCode.CANCELLED, name + " was cancelled by the client");
        }
        BackpressureStrategy.WaitResult ready =
            backpressure.waitForListener(limits.clientTimeout().toMillis());
        if (ready == BackpressureStrategy.WaitResult.CANCELLED || listener.isCancelled()) {
          LOG.debug("{} cancelled by the client: {}", name, execution.statistics());
          return execution.statistics();
        }
        if (ready == BackpressureStrategy.WaitResult.TIMEOUT) {
          throw new QuiverException(
              ErrorCode.CANCELLED,
              "Client did not read for " + limits.clientTimeout() + "; " + name + " stopped");
        }
        listener.putNext();
      }
      ScanStatistics statistics = execution.statistics();
      byte[] json = StreamStatistics.toJson(statistics);
      ArrowBuf metadata = allocator.buffer(json.length);
      metadata.writeBytes(json);
      listener.putMetadata(metadata);
      listener.completed();
      return statistics;
    }
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
      if (!descriptor.isCommand() || !FragmentProtocol.isExchange(descriptor.getCommand())) {
        ackStream.onError(
            CallStatus.UNIMPLEMENTED
                .withDescription("DoPut is not supported: Quiver datasets are read-only")
                .toRuntimeException());
        return;
      }
      FragmentProtocol.ExchangeHeader header =
          FragmentProtocol.decode(descriptor.getCommand(), FragmentProtocol.ExchangeHeader.class);
      try {
        long bytes = worker.acceptExchange(header, flightStream);
        LOG.debug(
            "Query {}: received {} bytes of partition {} from {}",
            header.exchange(),
            bytes,
            header.partition(),
            header.from());
        ackStream.onCompleted();
      } catch (Throwable e) {
        ackStream.onError(
            FlightErrors.toFlight(
                e, "Exchange of query " + header.exchange() + " from " + header.from()));
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
    if (action.getType().equals(FORWARDED_INFO)) {
      try {
        ClusterFlights.LocalInfoRequest request =
            FragmentProtocol.decode(action.getBody(), ClusterFlights.LocalInfoRequest.class);
        FlightInfo info =
            infoHere(
                request.sql(),
                FlightDescriptor.command(request.sql().getBytes(StandardCharsets.UTF_8)));
        ByteBuffer buffer = info.serialize();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        listener.onNext(new Result(bytes));
        listener.onCompleted();
      } catch (RuntimeException e) {
        listener.onError(FlightErrors.toFlight(e, "DoAction " + action.getType()));
      }
      return;
    }
    if (action.getType().equals(ClusterFlights.LOCAL_INFO)) {
      try {
        listener.onNext(new Result(localInfo(action.getBody())));
        listener.onCompleted();
      } catch (RuntimeException e) {
        listener.onError(FlightErrors.toFlight(e, "DoAction " + action.getType()));
      }
      return;
    }
    try {
      Object body =
          switch (action.getType()) {
            case "health" ->
                Map.of(
                    "status",
                    serving.getAsBoolean() ? "SERVING" : "NOT_SERVING",
                    "datasets",
                    catalog.names().size());
            case "datasets" ->
                catalog.names().stream().map(n -> describe(catalog.require(n))).toList();
            case FragmentProtocol.PARTIAL ->
                worker.partial(
                    FragmentProtocol.decode(
                        action.getBody(), FragmentProtocol.PartialRequest.class));
            case FragmentProtocol.SHUFFLE ->
                worker.shuffle(
                    FragmentProtocol.decode(
                        action.getBody(), FragmentProtocol.ShuffleRequest.class));
            case FragmentProtocol.RELEASE -> {
              worker.release(
                  FragmentProtocol.decode(action.getBody(), FragmentProtocol.ReleaseRequest.class)
                      .queryId());
              yield Map.of("released", true);
            }
            default ->
                throw new QuiverException(
                    ErrorCode.INVALID_ARGUMENT,
                    "Unknown action '"
                        + action.getType()
                        + "'; actions are: "
                        + String.join(", ", ACTIONS.stream().map(ActionType::getType).toList()));
          };
      listener.onNext(new Result(JSON.writeValueAsBytes(body)));
      listener.onCompleted();
    } catch (JsonProcessingException | RuntimeException e) {
      listener.onError(FlightErrors.toFlight(e, "DoAction " + action.getType()));
    }
  }

  @Override
  public void listActions(CallContext context, StreamListener<ActionType> listener) {
    ACTIONS.forEach(listener::onNext);
    SQL_ACTIONS.forEach(listener::onNext);
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

  /** This node's own FlightInfo of a dataset or scan query, serialized, for a coordinator. */
  private byte[] localInfo(byte[] body) {
    ClusterFlights.LocalInfoRequest request =
        FragmentProtocol.decode(body, ClusterFlights.LocalInfoRequest.class);
    FlightInfo info;
    if (request.dataset() != null) {
      info = flightInfo(catalog.require(request.dataset()));
    } else if (planner.plan(request.sql()) instanceof QueryPlan scan) {
      info =
          queryInfo(scan, FlightDescriptor.command(request.sql().getBytes(StandardCharsets.UTF_8)));
    } else {
      throw new QuiverException(ErrorCode.INVALID_ARGUMENT, "Not a scan query: " + request.sql());
    }
    ByteBuffer buffer = info.serialize();
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
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

  /**
   * Coordinates an aggregation on the stream executor: runs it across the cluster, then streams the
   * answer with backpressure and ends with the query's report as metadata.
   */
  private void coordinate(
      AggregatePlan plan,
      String operation,
      ServerStreamListener listener,
      StreamTracker.Registration registration) {
    BackpressureStrategy backpressure = new BackpressureStrategy.CallbackBackpressureStrategy();
    backpressure.register(listener);
    String queryId = UUID.randomUUID().toString();
    executor.execute(
        () -> {
          try (registration;
              BufferAllocator allocator =
                  root.newChildAllocator(
                      "query-" + queryId + "-coordinator",
                      0,
                      worker.settings().queryMemoryBytes());
              CoordinatedResult result =
                  coordinator.run(
                      queryId,
                      plan,
                      allocator,
                      () ->
                          listener.isCancelled()
                              || registration.isStopped()
                              || registration.isCancelled())) {
            sendAnswer(plan, result, allocator, listener, backpressure, queryId);
          } catch (Throwable e) {
            listener.error(FlightErrors.toFlight(e, operation + " (query " + queryId + ")"));
          }
        });
  }

  /**
   * Streams an aggregation's answer with backpressure, then its report as the last message.
   *
   * @param allocator where the output batches are built; the caller closes it after
   */
  private void sendAnswer(
      AggregatePlan plan,
      CoordinatedResult result,
      BufferAllocator allocator,
      ServerStreamListener listener,
      BackpressureStrategy backpressure,
      String queryId) {
    try (VectorSchemaRoot out = VectorSchemaRoot.create(plan.schema(), allocator)) {
      listener.start(out);
      int batchRows = limits.batch().maxBatchRows();
      for (int from = 0; from < result.rowCount(); from += batchRows) {
        BackpressureStrategy.WaitResult ready =
            backpressure.waitForListener(limits.clientTimeout().toMillis());
        if (ready != BackpressureStrategy.WaitResult.READY || listener.isCancelled()) {
          LOG.info("Query {} cancelled by the client while sending", queryId);
          return;
        }
        result.fill(out, from, Math.min(result.rowCount(), from + batchRows));
        listener.putNext();
      }
      byte[] json = result.report().toJson();
      ArrowBuf metadata = allocator.buffer(json.length);
      metadata.writeBytes(json);
      listener.putMetadata(metadata);
      listener.completed();
    }
  }

  /**
   * The one endpoint of an aggregation: its answer comes through this node, the coordinator, which
   * the FlightInfo's metadata says ({@code "resultVia": "coordinator"}).
   */
  private FlightInfo aggregateInfo(AggregatePlan plan, FlightDescriptor descriptor) {
    Location self = cluster.self();
    FlightEndpoint endpoint =
        new FlightEndpoint(ScanTicket.ofWholeQuery(plan.dataset(), plan.sql()).toTicket(), self);
    byte[] metadata =
        ("{\"resultVia\":\"coordinator\",\"coordinator\":\"" + self.getUri() + "\"}")
            .getBytes(StandardCharsets.UTF_8);
    return new FlightInfo(
        plan.schema(), descriptor, List.of(endpoint), -1, -1, false, IpcOption.DEFAULT, metadata);
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

  private static String sql(FlightDescriptor descriptor) {
    return new String(descriptor.getCommand(), StandardCharsets.UTF_8);
  }

  private static String abbreviate(String sql) {
    String flat = sql.replaceAll("\\s+", " ").trim();
    return flat.length() <= 120 ? flat : flat.substring(0, 117) + "...";
  }

  /**
   * Endpoints for a query: one per split of the files its partition values allow, or a single
   * endpoint reading them in order when a LIMIT can stop the scan early.
   */
  private FlightInfo queryInfo(QueryPlan plan, FlightDescriptor descriptor) {
    Dataset dataset = plan.dataset();
    List<DataFile> files = plan.candidateFiles();
    List<FlightEndpoint> endpoints = new ArrayList<>();
    if (plan.limit().isPresent() || !plan.order().isEmpty()) {
      endpoints.add(new FlightEndpoint(ScanTicket.ofWholeQuery(dataset, plan.sql()).toTicket()));
    } else {
      for (DataFile file : files) {
        for (FileSplit split : FileSplit.of(file, limits.splitBytes())) {
          endpoints.add(
              new FlightEndpoint(ScanTicket.ofQuery(dataset, split, plan.sql()).toTicket()));
        }
      }
    }
    int skipped = dataset.files().size() - files.size();
    LOG.info(
        "Planned {}: {} of {} files after partition pruning, {} endpoints",
        abbreviate(plan.sql()),
        files.size(),
        dataset.files().size(),
        endpoints.size());
    byte[] metadata = StreamStatistics.toJson(ScanStatistics.skippedFiles(skipped));
    return new FlightInfo(
        plan.schema(),
        descriptor,
        endpoints,
        -1,
        -1,
        !plan.order().isEmpty(),
        IpcOption.DEFAULT,
        metadata);
  }

  private FlightInfo flightInfo(Dataset dataset) {
    List<String> columns = dataset.schema().getFields().stream().map(Field::getName).toList();
    List<FlightEndpoint> endpoints = new ArrayList<>();
    for (DataFile file : dataset.files()) {
      for (FileSplit split : FileSplit.of(file, limits.splitBytes())) {
        endpoints.add(new FlightEndpoint(ScanTicket.of(dataset, split, columns).toTicket()));
      }
    }
    return new FlightInfo(
        dataset.schema(),
        FlightDescriptor.path(dataset.name()),
        endpoints,
        dataset.sizeBytes(),
        dataset.rowCount());
  }

  private static Map<String, Object> describe(Dataset dataset) {
    Map<String, Object> described = new LinkedHashMap<>();
    described.put("name", dataset.name());
    described.put("location", dataset.location());
    described.put("files", dataset.files().size());
    described.put("rows", dataset.rowCount());
    described.put("bytes", dataset.sizeBytes());
    described.put(
        "columns",
        dataset.schema().getFields().stream()
            .map(
                f ->
                    Map.of(
                        "name",
                        f.getName(),
                        "type",
                        f.getType().toString(),
                        "nullable",
                        f.isNullable()))
            .toList());
    return described;
  }
}
