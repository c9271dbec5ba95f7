package dev.quiver.server.query;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.scan.FileSplit;
import dev.quiver.parquet.scan.ScanStatistics;
import dev.quiver.server.catalog.Catalog;
import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.exec.Batches;
import dev.quiver.server.exec.ConcatOperator;
import dev.quiver.server.exec.CopiesOperator;
import dev.quiver.server.exec.ExecutionContext;
import dev.quiver.server.exec.FinalAggregateOperator;
import dev.quiver.server.exec.ForwardingOperator;
import dev.quiver.server.exec.Operator;
import dev.quiver.server.exec.OperatorCounters;
import dev.quiver.server.exec.RangePartitioner;
import dev.quiver.server.exec.SourceOperator;
import dev.quiver.server.physical.Aggregate;
import dev.quiver.server.physical.PhysicalPlan;
import dev.quiver.server.physical.RemoteSource;
import dev.quiver.server.physical.Scan;
import dev.quiver.server.query.Fragment.OpenedTask;
import dev.quiver.server.query.Fragment.TaskKey;
import dev.quiver.server.query.FragmentProtocol.OutputKind;
import dev.quiver.server.query.FragmentProtocol.ShuffleReport;
import dev.quiver.server.query.FragmentProtocol.TaskOutput;
import dev.quiver.server.query.FragmentProtocol.TaskReport;
import dev.quiver.server.query.FragmentProtocol.TaskRequest;
import dev.quiver.server.sql.PlanCodec;
import dev.quiver.server.sql.StagePipelines;
import dev.quiver.server.sql.StagePipelines.Metering;
import dev.quiver.shuffle.exchange.ExchangeSink;
import dev.quiver.shuffle.exchange.ExchangeTarget;
import dev.quiver.shuffle.exchange.Partitioning;
import dev.quiver.shuffle.spill.BatchSource;
import dev.quiver.shuffle.spill.BatchStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.flight.Location;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the tasks of any stage on this node from their physical plans, as the coordinator sent them
 * ({@link TaskRequest}): no SQL is planned here. A task that scans runs its plan on several threads
 * that take splits from one queue and keeps what they produce; a task that reads what this node
 * kept of an earlier stage runs once and keeps its output or splits it among the consumer tasks
 * (hash, range or broadcast) through the exchange; a task that receives rows is opened, with an
 * {@link Inbox}, and runs when its output is read ({@link #output}, {@link #stream}).
 */
final class TaskRunner {
  private static final Logger LOG = LoggerFactory.getLogger(TaskRunner.class);

  /**
   * Row groups of at least this many compressed bytes are a scan thread's task each; smaller ones
   * are taken together up to it. Each task opens its file again (a status request on object
   * storage), so tiny row groups are not worth a task of their own.
   */
  static final long TASK_BYTES = 16L << 20;

  private final FragmentWorker worker;
  private final Catalog catalog;
  private final PlanCodec codec;
  private final Cluster cluster;
  private final Fragments fragments;
  private final ExecutorService scanPool;

  /**
   * @param scanPool runs the scan threads of tasks that scan
   */
  TaskRunner(
      FragmentWorker worker,
      Catalog catalog,
      PlanCodec codec,
      Cluster cluster,
      Fragments fragments,
      ExecutorService scanPool) {
    this.worker = requireNonNull(worker, "worker is null");
    this.catalog = requireNonNull(catalog, "catalog is null");
    this.codec = requireNonNull(codec, "codec is null");
    this.cluster = requireNonNull(cluster, "cluster is null");
    this.fragments = requireNonNull(fragments, "fragments is null");
    this.scanPool = requireNonNull(scanPool, "scanPool is null");
  }

  /** Runs (or opens) one task. */
  TaskReport run(TaskRequest request) {
    String self = cluster.self().getUri().toString();
    if (request.dataset() != null && catalog.find(request.dataset()).isEmpty()) {
      LOG.info(
          "Query {}: no dataset '{}' on this node; nothing to scan",
          request.queryId(),
          request.dataset());
      return TaskReport.noDataset(self);
    }
    long started = System.nanoTime();
    PhysicalPlan plan = codec.decodeOperators(request.plan());
    TaskKey key = new TaskKey(request.stage(), request.task());
    Fragment fragment = fragments.getOrCreate(request.queryId());
    fragment.enter();
    try {
      if (request.receives()) {
        fragment.open(key, plan, Inbox.of(plan, fragment));
        return new TaskReport(
            self, true, 0, 0, false, 0, Map.of(), plan.schema().toJson(), null, null, null);
      }
      TaskReport report =
          scans(plan)
              ? scan(request, plan, key, fragment, started)
              : readKept(request, plan, key, fragment, started);
      LOG.info(
          "Query {}: {} ran in {} ms: {} rows ({} bytes{}){}",
          request.queryId(),
          key,
          report.millis(),
          report.rows(),
          report.bytes(),
          report.spilled() ? ", partly spilled to disk" : "",
          report.scan().isEmpty() ? "" : ", scan " + report.scan());
      return report;
    } catch (RuntimeException | OutOfMemoryError e) {
      // The query's state here stays until the coordinator releases it everywhere: freed now, it
      // would turn what other nodes still send here into NOT_FOUND failures that could reach the
      // client before this one, the cause.
      throw worker.stageFailure(request.queryId(), e);
    } finally {
      fragment.exit();
    }
  }

  private static boolean scans(PhysicalPlan plan) {
    return plan instanceof Scan || plan.children().stream().anyMatch(TaskRunner::scans);
  }

  /**
   * Runs a task that scans: one pipeline per scan thread, each taking splits from a common queue,
   * their outputs kept together (partial aggregate states merged once more, so that fewer cross the
   * network).
   */
  private TaskReport scan(
      TaskRequest request, PhysicalPlan plan, TaskKey key, Fragment fragment, long started) {
    if (request.output().kind() != OutputKind.KEEP) {
      throw new QuiverException(
          ErrorCode.INVALID_ARGUMENT,
          "A task that scans keeps its output; a later task sends it on (" + key + ")");
    }
    ExecutionContext context = worker.context(fragment);
    List<FileSplit> tasks =
        StagePipelines.inReadingOrder(
            plan, largestFirst(worker.splits(plan, request.splits()), TASK_BYTES));
    Queue<FileSplit> pending = new ConcurrentLinkedQueue<>(tasks);
    int threads = Math.max(1, Math.min(worker.settings().scanThreads(), tasks.size()));
    ExecutionContext perThread = context.withSpill(context.spill().split(threads));
    // Rows broadcast to this task (a join's build side) arrived in its inbox before it runs: each
    // scan thread reads its own copy of them.
    Map<Integer, List<VectorSchemaRoot>> broadcast = broadcastRows(plan, key, fragment);
    IntFunction<Operator> inputs =
        stage -> {
          List<VectorSchemaRoot> rows = broadcast.get(stage);
          if (rows == null) {
            return noInputs(key).apply(stage);
          }
          return new CopiesOperator(remoteSchema(plan, stage), rows, perThread.allocator());
        };
    BatchStore scanned = store(plan.schema(), fragment);
    BatchStore output = scanned;
    KeySample sample = sample(request.output(), plan.schema(), fragment);
    ScanStatistics statistics = ScanStatistics.EMPTY;
    Metering metering = Metering.of(plan);
    try {
      List<Future<ScanStatistics>> parts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        parts.add(
            scanPool.submit(
                () -> {
                  try (Operator part =
                      StagePipelines.build(
                          plan, new Taking(pending), inputs, node -> null, perThread, metering)) {
                    while (part.next()) {
                      keep(part.root(), scanned, sample, fragment);
                    }
                    return part.statistics();
                  }
                }));
      }
      statistics = await(parts, pending);
      worker.scanned(statistics);
      if (plan instanceof Aggregate aggregate && aggregate.mode().writesStates()) {
        output = mergeThreads(aggregate, output, fragment);
      }
      return kept(key, output, sample, statistics, fragment, started, metering);
    } catch (RuntimeException e) {
      output.close();
      throw e;
    } finally {
      if (sample != null) {
        sample.close();
      }
      broadcast.values().forEach(rows -> rows.forEach(VectorSchemaRoot::close));
    }
  }

  /**
   * The rows broadcast to this node for each stage {@code plan} reads, by stage: they arrived in
   * the inbox opened for that stage's rows on this node (task {@code key.task()} of its id) before
   * the task runs. The caller owns the batches.
   */
  private static Map<Integer, List<VectorSchemaRoot>> broadcastRows(
      PhysicalPlan plan, TaskKey key, Fragment fragment) {
    Map<Integer, List<VectorSchemaRoot>> byStage = new HashMap<>();
    try {
      for (RemoteSource source : RemoteSource.all(plan)) {
        Fragment.OpenedTask opened =
            fragment.takeOpenedIfAny(new TaskKey(source.stage(), key.task()));
        if (opened == null) {
          continue;
        }
        List<VectorSchemaRoot> rows = new ArrayList<>();
        byStage.put(source.stage(), rows);
        try (Inbox inbox = opened.inbox();
            Operator received = inbox.output()) {
          while (received.next()) {
            rows.add(Batches.moved(received.root(), fragment.allocator()));
          }
        }
      }
      return byStage;
    } catch (RuntimeException e) {
      byStage.values().forEach(rows -> rows.forEach(VectorSchemaRoot::close));
      throw e;
    }
  }

  private static void keep(
      VectorSchemaRoot batch, BatchStore output, KeySample sample, Fragment fragment) {
    fragment.checkNotCancelled();
    if (sample != null) {
      synchronized (sample) {
        sample.add(batch);
      }
    }
    output.add(Batches.moved(batch, fragment.allocator()));
  }

  /**
   * Waits for every scan thread, failing with the first failure. An interrupt (the coordinator gave
   * up on the task) stops handing out splits, and the threads are still waited for: none may go on
   * adding to an output that is freed.
   */
  private static ScanStatistics await(
      List<Future<ScanStatistics>> parts, Queue<FileSplit> pending) {
    ScanStatistics statistics = ScanStatistics.EMPTY;
    RuntimeException failure = null;
    boolean interrupted = false;
    for (Future<ScanStatistics> part : parts) {
      while (true) {
        try {
          statistics = statistics.plus(part.get());
          break;
        } catch (ExecutionException e) {
          pending.clear();
          failure =
              failure != null
                  ? failure
                  : e.getCause() instanceof RuntimeException runtime
                      ? runtime
                      : new IllegalStateException(e.getCause());
          break;
        } catch (InterruptedException e) {
          interrupted = true;
          pending.clear();
          failure =
              failure != null ? failure : new QuiverException(ErrorCode.CANCELLED, "Interrupted");
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure != null) {
      throw failure;
    }
    return statistics;
  }

  /**
   * Runs a task that reads what this node kept of earlier stages, once, and keeps or sends its
   * output.
   */
  private TaskReport readKept(
      TaskRequest request, PhysicalPlan plan, TaskKey key, Fragment fragment, long started) {
    ExecutionContext context = worker.context(fragment);
    IntFunction<Operator> kept =
        stage -> {
          // Another stage's rows sent here for this task (a partitioned join's input) wait in an
          // inbox; a task reading its own stage's rows sends on what it kept.
          Fragment.OpenedTask sent =
              stage == key.stage()
                  ? null
                  : fragment.takeOpenedIfAny(new TaskKey(stage, key.task()));
          if (sent != null) {
            return new InboxRows(sent.inbox());
          }
          List<BatchStore> taken = fragment.takeKept(stage);
          if (taken.isEmpty()) {
            // Every task that ran here kept a store, empty or not: none means the rows were never
            // computed here (an opened task's are computed only as it is read), and reading on
            // would answer without them.
            throw new QuiverException(
                ErrorCode.INTERNAL,
                "Cannot read the rows of stage "
                    + stage
                    + " for "
                    + key
                    + ": this node neither kept nor received them");
          }
          List<Operator> stores = new ArrayList<>();
          for (BatchStore store : taken) {
            stores.add(new SourceOperator(store.schema(), new ClosingSource(store.take(), store)));
          }
          return ConcatOperator.of(remoteSchema(plan, stage), stores);
        };
    TaskOutput output = request.output();
    Metering metering = Metering.of(plan);
    try (Operator rows =
        StagePipelines.build(
            plan, Collections.emptyIterator(), kept, node -> null, context, metering)) {
      if (output.kind() == OutputKind.KEEP) {
        BatchStore store = store(plan.schema(), fragment);
        KeySample sample = sample(output, plan.schema(), fragment);
        try (KeySample closing = sample) {
          while (rows.next()) {
            keep(rows.root(), store, sample, fragment);
          }
          return kept(key, store, sample, ScanStatistics.EMPTY, fragment, started, metering);
        } catch (RuntimeException e) {
          store.close();
          throw e;
        }
      }
      return send(request, rows, fragment, started, metering);
    }
  }

  /** The rows an inbox received, which is freed with them. */
  private static final class InboxRows extends ForwardingOperator {
    private final Inbox inbox;

    InboxRows(Inbox inbox) {
      super(openOrClose(inbox));
      this.inbox = inbox;
    }

    private static Operator openOrClose(Inbox inbox) {
      try {
        return inbox.output();
      } catch (RuntimeException e) {
        inbox.close();
        throw e;
      }
    }

    @Override
    protected void closeAfterInput() {
      inbox.close();
    }
  }

  /** The schema of the rows of {@code stage} that {@code plan} reads. */
  private static Schema remoteSchema(PhysicalPlan plan, int stage) {
    if (plan instanceof RemoteSource source && source.stage() == stage) {
      return source.schema();
    }
    for (PhysicalPlan child : plan.children()) {
      Schema found = remoteSchema(child, stage);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  private static IntFunction<Operator> noInputs(TaskKey key) {
    return stage -> {
      throw new QuiverException(
          ErrorCode.INVALID_ARGUMENT, "A task that scans reads no other stage (" + key + ")");
    };
  }

  /** Splits {@code rows} among the consumer tasks as the output says, through the exchange. */
  private TaskReport send(
      TaskRequest request, Operator rows, Fragment fragment, long started, Metering metering) {
    TaskOutput output = request.output();
    List<Location> consumers = Cluster.parse(output.consumers());
    List<ExchangeTarget> targets = List.of();
    ExchangeSink.Sent sent = ExchangeSink.Sent.none(consumers.size());
    VectorSchemaRoot boundaries =
        output.kind() == OutputKind.RANGE
            ? ArrowBytes.decode(output.boundaries(), fragment.allocator())
            : null;
    try {
      Partitioning partitioning =
          switch (output.kind()) {
            case HASH -> Partitioning.hash(output.keys(), consumers.size());
            case BROADCAST -> Partitioning.broadcast(consumers.size());
            case RANGE -> {
              RangePartitioner ranges = new RangePartitioner(output.order(), boundaries);
              if (ranges.ranges() != consumers.size()) {
                throw new QuiverException(
                    ErrorCode.INVALID_ARGUMENT,
                    consumers.size() + " consumers for " + ranges.ranges() + " ranges");
              }
              yield ranges::assign;
            }
            case KEEP -> throw new IllegalStateException("unreachable");
          };
      targets =
          worker.targets(
              fragment, consumers, output.consumerStage(), output.kind() == OutputKind.HASH);
      long rowCount = 0;
      while (rows.next()) {
        fragment.checkNotCancelled();
        rowCount += rows.root().getRowCount();
        sent = sent.plus(ExchangeSink.send(List.of(rows.root()), partitioning, targets));
      }
      ShuffleReport shuffled =
          worker.shuffleReport(request.queryId(), consumers, sent, targets, started);
      return new TaskReport(
          shuffled.peer(),
          true,
          rowCount,
          0,
          false,
          shuffled.millis(),
          Map.of(),
          rows.schema().toJson(),
          null,
          shuffled,
          metering.metrics().snapshot());
    } finally {
      if (boundaries != null) {
        boundaries.close();
      }
    }
  }

  private TaskReport kept(
      TaskKey key,
      BatchStore output,
      KeySample sample,
      ScanStatistics statistics,
      Fragment fragment,
      long started,
      Metering metering) {
    long rows = output.rows();
    long bytes = output.bytes();
    boolean spilled = output.spilled();
    String schema = output.schema().toJson();
    fragment.keep(key, output);
    return new TaskReport(
        cluster.self().getUri().toString(),
        true,
        rows,
        bytes,
        spilled,
        (System.nanoTime() - started) / 1_000_000,
        FragmentProtocol.counters(statistics),
        schema,
        sample == null ? null : sample.encode(),
        null,
        metering.metrics().snapshot());
  }

  /**
   * An empty store for a kept output, spilling beyond half the fragment's spill budget: it only
   * waits there to be read or sent on.
   */
  private static BatchStore store(Schema schema, Fragment fragment) {
    return new BatchStore(
        schema,
        fragment.allocator(),
        Math.max(1, fragment.spill().budgetBytes() / 2),
        fragment.spill().space(),
        fragment.queryId());
  }

  private static KeySample sample(TaskOutput output, Schema schema, Fragment fragment) {
    if (output.sampleRows() <= 0 || output.order().isEmpty()) {
      return null;
    }
    return new KeySample(
        output.order(), schema, output.sampleRows(), fragment.queryId(), fragment.allocator());
  }

  /**
   * Merges the partial states of several scan threads into one set of groups, so that fewer go over
   * the network; a store of one batch, or one that spilled (whose groups are merged by their owners
   * instead), is kept as it is. Takes ownership of {@code partial}.
   */
  private BatchStore mergeThreads(Aggregate aggregate, BatchStore partial, Fragment fragment) {
    if (partial.batchesInMemory() <= 1 || partial.spilled()) {
      return partial;
    }
    ExecutionContext context = worker.context(fragment);
    BatchStore merged = store(aggregate.schema(), fragment);
    try (partial;
        Operator merge =
            Operator.then(
                new SourceOperator(aggregate.schema(), partial.take()),
                partials ->
                    FinalAggregateOperator.intermediate(partials, aggregate.layout(), context))) {
      while (merge.next()) {
        merged.add(Batches.moved(merge.root(), context.allocator()));
      }
      return merged;
    } catch (RuntimeException e) {
      merged.close();
      throw e;
    }
  }

  /**
   * The splits cut into tasks of about {@code taskBytes} for the scan threads, largest (compressed
   * bytes) first, so that the threads run out of work at about the same time. Whole splits of
   * several row groups in file order could leave one thread alone on the last split for up to that
   * split's time while the other cores idled (a 64 MB split of three row groups is 15% of a 20M-row
   * aggregation here); now a small task (a file's last row group) is what ends the query.
   */
  static List<FileSplit> largestFirst(List<FileSplit> splits, long taskBytes) {
    List<FileSplit> tasks = new ArrayList<>();
    splits.forEach(split -> tasks.addAll(split.cut(taskBytes)));
    tasks.sort(Comparator.comparingLong(FileSplit::compressedBytes).reversed());
    return tasks;
  }

  /**
   * The output of a task on this node: what it kept, or, for an opened task, its plan run over what
   * it received. The caller owns the operator, and closes it before the query is released here.
   */
  Operator output(String queryId, int stage, int task, Consumer<List<OperatorCounters>> counters) {
    Fragment fragment = fragments.require(queryId);
    fragment.enter();
    try {
      return output(fragment, new TaskKey(stage, task), counters);
    } catch (RuntimeException e) {
      throw worker.stageFailure(queryId, e);
    } finally {
      fragment.exit();
    }
  }

  private Operator output(
      Fragment fragment, TaskKey key, Consumer<List<OperatorCounters>> counters) {
    BatchStore kept = fragment.takeKept(key);
    if (kept != null) {
      return new SourceOperator(kept.schema(), new ClosingSource(kept.take(), kept));
    }
    OpenedTask opened = fragment.takeOpened(key);
    Inbox inbox = opened.inbox();
    Metering metering = Metering.of(opened.plan());
    try {
      Operator rows =
          StagePipelines.build(
              opened.plan(),
              Collections.emptyIterator(),
              stage -> {
                throw new QuiverException(
                    ErrorCode.INVALID_ARGUMENT,
                    "An opened task reads only what it received (" + key + ")");
              },
              node -> node == inbox.absorbs() ? inbox.output() : null,
              worker.context(fragment),
              metering);
      return new Closing(rows, inbox, () -> counters.accept(metering.metrics().snapshot()));
    } catch (RuntimeException e) {
      inbox.close();
      throw e;
    }
  }

  /**
   * Streams the output of a task on this node to the node or client that reads it, with
   * backpressure. A node reading an opened task's output gets its operators' counters in a last
   * message of metadata only; with {@code last} (a client reading its share of the answer), none,
   * and the query's state here is freed afterwards.
   */
  void stream(String queryId, int stage, int task, boolean last, ServerStreamListener listener) {
    Fragment fragment = fragments.require(queryId);
    fragment.enter();
    AtomicReference<List<OperatorCounters>> counters = new AtomicReference<>();
    try (Operator rows = output(fragment, new TaskKey(stage, task), counters::set)) {
      worker.send(
          fragment,
          rows,
          listener,
          () ->
              counters.get() == null || last
                  ? null
                  : FragmentProtocol.encode(new FragmentProtocol.OperatorsTrailer(counters.get())));
    } catch (RuntimeException e) {
      throw worker.stageFailure(queryId, e);
    } finally {
      fragment.exit();
      if (last) {
        fragments.release(queryId);
      }
    }
  }

  /** Takes splits from a queue that several scans share, as each scan asks for its next. */
  private static final class Taking implements Iterator<FileSplit> {
    private final Queue<FileSplit> pending;
    private FileSplit next;

    Taking(Queue<FileSplit> pending) {
      this.pending = pending;
    }

    @Override
    public boolean hasNext() {
      if (next == null) {
        next = pending.poll();
      }
      return next != null;
    }

    @Override
    public FileSplit next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      FileSplit taken = next;
      next = null;
      return taken;
    }
  }

  /** A source that closes the store it reads from when it is closed. */
  private record ClosingSource(BatchSource source, BatchStore store) implements BatchSource {
    @Override
    public VectorSchemaRoot next() {
      return source.next();
    }

    @Override
    public void close() {
      try {
        source.close();
      } finally {
        store.close();
      }
    }
  }

  /**
   * An operator that runs {@code atEnd} once its rows end, and closes what it reads from after
   * itself.
   */
  private static final class Closing extends ForwardingOperator {
    private final Inbox after;
    private Runnable atEnd;

    Closing(Operator rows, Inbox after, Runnable atEnd) {
      super(rows);
      this.after = after;
      this.atEnd = atEnd;
    }

    @Override
    public boolean next() {
      if (input.next()) {
        return true;
      }
      if (atEnd != null) {
        Runnable ending = atEnd;
        atEnd = null;
        ending.run();
      }
      return false;
    }

    @Override
    protected void closeAfterInput() {
      after.close();
    }
  }
}
