package dev.quiver.server.flight;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.parquet.scan.FileSplit;
import dev.quiver.parquet.scan.ScanStatistics;
import dev.quiver.server.catalog.Catalog;
import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.exec.ExecutionContext;
import dev.quiver.server.exec.Operator;
import dev.quiver.server.physical.Explainer;
import dev.quiver.server.physical.PhysicalPlan;
import dev.quiver.server.physical.Scan;
import dev.quiver.server.query.CoordinatedResult;
import dev.quiver.server.query.FragmentWorker;
import dev.quiver.server.query.StageScheduler;
import dev.quiver.server.sql.AggregatePlan;
import dev.quiver.server.sql.Explain;
import dev.quiver.server.sql.Query;
import dev.quiver.server.sql.QueryExecution;
import dev.quiver.server.sql.QueryPlan;
import dev.quiver.server.sql.QueryPlanner;
import dev.quiver.server.sql.StagePipelines;
import dev.quiver.server.sql.TreePlan;
import dev.quiver.server.ticket.GatheredTicket;
import dev.quiver.server.ticket.QuiverTicket;
import dev.quiver.server.ticket.ResultTicket;
import dev.quiver.server.ticket.ScanTicket;
import dev.quiver.server.ticket.StageTicket;
import dev.quiver.server.ticket.Tickets;
import dev.quiver.shuffle.exchange.Allocators;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.arrow.flight.BackpressureStrategy;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code DoGet}: a scan ticket runs its query's operators over its split, an aggregation's
 * ticket coordinates it across the cluster, a gathering ticket merges the nodes' streams, a polled
 * query's ticket sends its answer, and a fragment ticket sends a stage's result to a coordinator.
 *
 * <p>Every stream runs on the stream executor (gRPC delivers the readiness and cancel callbacks
 * that backpressure waits for on the calling thread, which must therefore not block), allocates
 * from its own named child of the root allocator with a limit, waits for the client's readiness
 * before each batch, and stops when the client cancels or the node shuts down.
 */
final class TicketStreams {
  private static final Logger LOG = LoggerFactory.getLogger(TicketStreams.class);

  private final Catalog catalog;
  private final QueryPlanner planner;
  private final BufferAllocator root;
  private final QuiverFlightProducer.Limits limits;
  private final Cluster cluster;
  private final FragmentWorker worker;
  private final StageScheduler coordinator;
  private final ExecutorService executor;
  private final StreamTracker streams;
  private final PolledQueries polls;
  private final Explainer explainer;
  private final GatheredStages gatheredStages;
  private final AtomicLong streamIds = new AtomicLong();
  private final Semaphore scans;

  /**
   * @param root the process's root allocator; streams allocate from children of it
   * @param executor runs the streams; owned by the caller
   */
  TicketStreams(
      Catalog catalog,
      QueryPlanner planner,
      BufferAllocator root,
      QuiverFlightProducer.Limits limits,
      Cluster cluster,
      FragmentWorker worker,
      StageScheduler coordinator,
      ExecutorService executor,
      StreamTracker streams,
      PolledQueries polls,
      Explainer explainer) {
    this.catalog = requireNonNull(catalog, "catalog is null");
    this.planner = requireNonNull(planner, "planner is null");
    this.root = requireNonNull(root, "root is null");
    this.limits = requireNonNull(limits, "limits is null");
    this.cluster = requireNonNull(cluster, "cluster is null");
    this.worker = requireNonNull(worker, "worker is null");
    this.coordinator = requireNonNull(coordinator, "coordinator is null");
    this.executor = requireNonNull(executor, "executor is null");
    this.streams = requireNonNull(streams, "streams is null");
    this.polls = requireNonNull(polls, "polls is null");
    this.explainer = requireNonNull(explainer, "explainer is null");
    this.gatheredStages = new GatheredStages(catalog, planner, cluster);
    this.scans = new Semaphore(limits.concurrentScans(), true);
  }

  /**
   * Starts a stream and returns at once: the batches are produced on the producer's stream
   * executor, because gRPC delivers the readiness and cancel callbacks that backpressure waits for
   * on the calling thread, which must therefore not block.
   */
  void getStream(Ticket ticket, ServerStreamListener listener) {
    StreamTracker.Registration registration;
    try {
      registration = streams.register(ticket.getBytes());
    } catch (RuntimeException e) {
      listener.error(FlightErrors.toFlight(e, "DoGet"));
      return;
    }
    String operation = "DoGet";
    try {
      QuiverTicket decoded = Tickets.decode(ticket.getBytes());
      if (decoded instanceof GatheredTicket gathered) {
        registration.describe("sorted or limited scan");
        BackpressureStrategy backpressure = new BackpressureStrategy.CallbackBackpressureStrategy();
        backpressure.register(listener);
        String name = "stream-" + streamIds.incrementAndGet();
        executor.execute(
            () -> {
              try (registration;
                  BufferAllocator allocator =
                      root.newChildAllocator(name, 0, limits.streamMemoryBytes())) {
                GatheredScan.stream(
                    gathered,
                    gatheredStages,
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
      if (decoded instanceof ResultTicket result) {
        String polledId = result.result();
        registration.describe("answer of polled query " + polledId);
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
      if (decoded instanceof StageTicket stage && stage.plan() == null) {
        registration.describe(
            "task " + stage.task() + " of stage " + stage.stage() + " of " + stage.query());
        String described =
            "DoGet of task "
                + stage.task()
                + " of stage "
                + stage.stage()
                + " of query "
                + stage.query();
        executor.execute(
            () -> {
              try (registration) {
                worker.stream(
                    stage.query(), stage.stage(), stage.task(), stage.forClient(), listener);
              } catch (Throwable e) {
                listener.error(FlightErrors.toFlight(e, described));
              }
            });
        return;
      }
      if (decoded instanceof StageTicket stage) {
        operation = "Stage " + stage.stage() + " of query " + stage.query();
        registration.describe(operation);
        PhysicalPlan plan = gatheredStages.codec().decodeOperators(stage.plan());
        List<FileSplit> splits = splits(stage, plan);
        runStream(
            execution ->
                new QueryExecution(
                    StagePipelines.build(
                        plan,
                        splits,
                        remote -> {
                          throw new QuiverException(
                              ErrorCode.UNIMPLEMENTED,
                              "A stage that reads another stage runs on the coordinator only");
                        },
                        execution),
                    plan.schema(),
                    execution),
            operation,
            listener,
            registration);
        return;
      }
      ScanTicket scan = (ScanTicket) decoded;
      operation = "DoGet of dataset '" + scan.dataset() + "'";
      registration.describe("dataset " + scan.dataset());
      Dataset dataset = scan.readsNoDataset() ? null : catalog.require(scan.dataset());
      QueryPlan plan;
      List<FileSplit> splits;
      if (scan.sql() != null) {
        Query query = planner.plan(scan.sql());
        String reads = query.datasets().isEmpty() ? ScanTicket.NO_DATASET : query.dataset().name();
        if (!reads.equals(scan.dataset())) {
          throw new QuiverException(
              ErrorCode.INVALID_ARGUMENT,
              "Ticket's query does not read dataset '" + scan.dataset() + "'");
        }
        operation = "DoGet of query " + FlightInfos.abbreviate(scan.sql());
        registration.describe(FlightInfos.abbreviate(scan.sql()));
        if (query instanceof Explain explain && explain.analyze()) {
          analyze(explain, operation, listener, registration);
          return;
        }
        if (query instanceof Explain explain) {
          try (registration) {
            sendLines(explainer.explain(explain.explained()), listener);
          }
          return;
        }
        if (query instanceof AggregatePlan || query instanceof TreePlan) {
          coordinate(query, operation, listener, registration);
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
      runStream(
          execution -> new QueryExecution(plan, splits, execution),
          operation,
          listener,
          registration);
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

  /**
   * Runs {@code EXPLAIN ANALYZE}'s query on the stream executor across the cluster, dropping its
   * rows, and sends the plan that ran with what each operator did.
   */
  private void analyze(
      Explain explain,
      String operation,
      ServerStreamListener listener,
      StreamTracker.Registration registration) {
    coordinated(
        operation,
        listener,
        registration,
        (queryId, allocator, cancelled) ->
            sendLines(
                coordinator.analyze(queryId, explain.explained(), allocator, cancelled), listener));
  }

  /** What runs on the stream executor for a query this node coordinates. */
  @FunctionalInterface
  private interface Coordinated {
    /**
     * @param allocator the query's allocator here, closed after
     * @param cancelled true once the client cancelled or the node stops
     */
    void run(String queryId, BufferAllocator allocator, BooleanSupplier cancelled);
  }

  /**
   * Runs {@code body} on the stream executor as a new query coordinated here, with the query's
   * allocator on this node; a failure goes to the client naming the operation and the query.
   */
  private void coordinated(
      String operation,
      ServerStreamListener listener,
      StreamTracker.Registration registration,
      Coordinated body) {
    String queryId = UUID.randomUUID().toString();
    executor.execute(
        () -> {
          try (registration;
              BufferAllocator allocator =
                  root.newChildAllocator(
                      "query-" + queryId + "-coordinator",
                      0,
                      worker.settings().queryMemoryBytes())) {
            body.run(
                queryId,
                allocator,
                () ->
                    listener.isCancelled()
                        || registration.isStopped()
                        || registration.isCancelled());
          } catch (Throwable e) {
            listener.error(FlightErrors.toFlight(e, operation + " (query " + queryId + ")"));
          }
        });
  }

  /** Sends {@code lines} as one batch of {@link Explain#SCHEMA}: a short answer, not a scan. */
  private void sendLines(List<String> lines, ServerStreamListener listener) {
    BufferAllocator allocator =
        root.newChildAllocator("explain-" + streamIds.incrementAndGet(), 0, Long.MAX_VALUE);
    try (VectorSchemaRoot answer = VectorSchemaRoot.create(Explain.SCHEMA, allocator)) {
      VarCharVector plan = (VarCharVector) answer.getVector(0);
      plan.allocateNew(lines.size());
      for (int i = 0; i < lines.size(); i++) {
        plan.setSafe(i, lines.get(i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      answer.setRowCount(lines.size());
      listener.start(answer);
      listener.putNext();
      listener.completed();
    } finally {
      Allocators.closeOnceReleased(allocator);
    }
  }

  /**
   * Streams what {@code start} runs on the stream executor, with backpressure, then its scan
   * counters; the registration ends with the stream.
   */
  private void runStream(
      Function<ExecutionContext, QueryExecution> start,
      String operation,
      ServerStreamListener listener,
      StreamTracker.Registration registration) {
    BackpressureStrategy backpressure = new BackpressureStrategy.CallbackBackpressureStrategy();
    backpressure.register(listener);
    String name = "stream-" + streamIds.incrementAndGet();
    executor.execute(
        () -> {
          try (registration) {
            ScanStatistics statistics = stream(start, name, listener, backpressure, registration);
            worker.scanned(statistics);
            LOG.info("{} {} done: {}", name, operation, statistics);
          } catch (Throwable e) {
            listener.error(FlightErrors.toFlight(e, operation));
          }
        });
  }

  /** The row groups a stage's task scans: those it was given, or its node's own files. */
  private List<FileSplit> splits(StageTicket stage, PhysicalPlan plan) {
    if (stage.splits() != null) {
      return stage.splits().stream().map(t -> t.toSplit(catalog.require(t.dataset()))).toList();
    }
    Scan scan = Scan.of(plan);
    if (scan == null) {
      throw new QuiverException(ErrorCode.INVALID_ARGUMENT, "The stage scans no dataset");
    }
    return Query.candidateFiles(scan.dataset(), scan.filter()).stream()
        .map(f -> new FileSplit(f, 0, f.rowGroups().size()))
        .toList();
  }

  private ScanStatistics stream(
      Function<ExecutionContext, QueryExecution> start,
      String name,
      ServerStreamListener listener,
      BackpressureStrategy backpressure,
      StreamTracker.Registration registration) {
    Runnable cancellation =
        () -> {
          if (registration.isStopped()) {
            throw new QuiverException(
                ErrorCode.UNAVAILABLE, "The node is shutting down; retry on another node");
          }
          if (registration.isCancelled()) {
            throw new QuiverException(ErrorCode.CANCELLED, name + " was cancelled by the client");
          }
        };
    awaitTurn(cancellation);
    try (Release turn = scans::release) {
      BufferAllocator allocator = root.newChildAllocator(name, 0, limits.streamMemoryBytes());
      // Batches go to the socket as they are (zero-copy): gRPC holds a sent batch's buffers
      // until they are written, which is after the stream ended for as long as the client takes
      // to read them. The allocator closes once they are freed; the stream does not wait.
      try (Release freed = () -> Allocators.closeOnceReleased(allocator);
          QueryExecution execution =
              start.apply(
                  ExecutionContext.of(name, allocator, cancellation, limits.batch())
                      .withSpill(worker.spill().withBudget(limits.streamMemoryBytes() / 4)))) {
        listener.setUseZeroCopy(true);
        return send(execution, allocator, name, listener, backpressure, cancellation);
      }
    }
  }

  /** Streams every batch of {@code execution} with backpressure, then its scan counters. */
  private ScanStatistics send(
      QueryExecution execution,
      BufferAllocator allocator,
      String name,
      ServerStreamListener listener,
      BackpressureStrategy backpressure,
      Runnable cancellation) {
    listener.start(execution.root());
    while (execution.next()) {
      cancellation.run();
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

  /** Something a stream gives back when it ends: its turn to scan, its memory. */
  private interface Release extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Waits until fewer than {@code concurrent-scans} streams read Parquet, or the stream is
   * cancelled or the node stops meanwhile (then {@code cancellation} throws).
   */
  private void awaitTurn(Runnable cancellation) {
    try {
      while (!scans.tryAcquire(100, TimeUnit.MILLISECONDS)) {
        cancellation.run();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QuiverException(ErrorCode.CANCELLED, "Interrupted while waiting to scan");
    }
  }

  /** Starts an aggregation in the background for polling clients. */
  PolledQueries.Polled startPolled(AggregatePlan plan, FlightDescriptor descriptor) {
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
      polls.cancel(queryId, polled.user);
      throw new QuiverException(
          ErrorCode.UNAVAILABLE, "The node is shutting down; retry on another node");
    }
    return polled;
  }

  /**
   * Coordinates an aggregation on the stream executor: runs it across the cluster, then streams the
   * answer with backpressure and ends with the query's report as metadata.
   */
  private void coordinate(
      Query plan,
      String operation,
      ServerStreamListener listener,
      StreamTracker.Registration registration) {
    BackpressureStrategy backpressure = new BackpressureStrategy.CallbackBackpressureStrategy();
    backpressure.register(listener);
    coordinated(
        operation,
        listener,
        registration,
        (queryId, allocator, cancelled) -> {
          try (CoordinatedResult result = coordinator.run(queryId, plan, allocator, cancelled)) {
            sendAnswer(plan, result, allocator, listener, backpressure, queryId);
          }
        });
  }

  /**
   * Streams an aggregation's answer with backpressure, then its report as the last message.
   *
   * @param allocator where the output batches are built; the caller closes it after
   */
  private void sendAnswer(
      Query plan,
      CoordinatedResult result,
      BufferAllocator allocator,
      ServerStreamListener listener,
      BackpressureStrategy backpressure,
      String queryId) {
    try (VectorSchemaRoot out = VectorSchemaRoot.create(plan.schema(), allocator)) {
      listener.start(out);
      Operator answer = result.answer();
      while (answer.next()) {
        BackpressureStrategy.WaitResult ready =
            backpressure.waitForListener(limits.clientTimeout().toMillis());
        if (ready != BackpressureStrategy.WaitResult.READY || listener.isCancelled()) {
          LOG.info("Query {} cancelled by the client while sending", queryId);
          return;
        }
        VectorSchemaRoot batch = answer.root();
        for (int c = 0; c < out.getFieldVectors().size(); c++) {
          batch.getVector(c).makeTransferPair(out.getVector(c)).transfer();
        }
        out.setRowCount(batch.getRowCount());
        listener.putNext();
      }
      byte[] json = result.report().toJson();
      ArrowBuf metadata = allocator.buffer(json.length);
      metadata.writeBytes(json);
      listener.putMetadata(metadata);
      listener.completed();
    }
  }
}
