package dev.quiver.server.query;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.scan.FileSplit;
import dev.quiver.parquet.scan.ScanStatistics;
import dev.quiver.server.catalog.Catalog;
import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.exec.Batches;
import dev.quiver.server.exec.ExecutionContext;
import dev.quiver.server.exec.FilterOperator;
import dev.quiver.server.exec.FinalAggregateOperator;
import dev.quiver.server.exec.Operator;
import dev.quiver.server.exec.ProjectOperator;
import dev.quiver.server.exec.SourceOperator;
import dev.quiver.server.query.FragmentProtocol.PartialReport;
import dev.quiver.server.query.FragmentProtocol.PartialRequest;
import dev.quiver.server.query.FragmentProtocol.ShuffleReport;
import dev.quiver.server.query.FragmentProtocol.ShuffleRequest;
import dev.quiver.server.sql.AggregatePlan;
import dev.quiver.server.sql.Pipelines;
import dev.quiver.server.sql.PlanCodec;
import dev.quiver.server.sql.Projection;
import dev.quiver.server.sql.Query;
import dev.quiver.shuffle.exchange.ExchangeSink;
import dev.quiver.shuffle.exchange.ExchangeTarget;
import dev.quiver.shuffle.exchange.Partitioning;
import dev.quiver.shuffle.spill.BatchSource;
import dev.quiver.shuffle.spill.BatchStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.flight.Location;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part of a distributed aggregation ({@link AggregateCoordinator}): the partial stage
 * (scan → filter → project → partial aggregate, on several threads, merged into one partial), the
 * shuffle (hash-partition the partials and send each partition to its owner through the exchange),
 * and the results it hands out: its partials for a gather, or the final groups it owns.
 */
final class AggregateStages {
  private static final Logger LOG = LoggerFactory.getLogger(AggregateStages.class);

  private final FragmentWorker worker;
  private final Catalog catalog;
  private final PlanCodec codec;
  private final Cluster cluster;
  private final Fragments fragments;
  private final ExecutorService scanPool;

  /**
   * @param scanPool runs the scan threads of partial stages
   */
  AggregateStages(
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

  /**
   * Scans this node's part of the dataset and aggregates it partially; the partial result stays in
   * the query's fragment until it is gathered, shuffled or released. A node that does not serve the
   * query's dataset reports so and holds nothing.
   */
  PartialReport partial(PartialRequest request) {
    String self = cluster.self().getUri().toString();
    if (catalog.find(request.dataset()).isEmpty()) {
      LOG.info(
          "Query {}: no dataset '{}' on this node; nothing to scan",
          request.queryId(),
          request.dataset());
      return new PartialReport(self, false, 0, 0, 0, Map.of(), null);
    }
    long started = System.nanoTime();
    Query query = codec.decode(request.plan());
    if (!(query instanceof AggregatePlan plan)) {
      throw new QuiverException(
          ErrorCode.INVALID_ARGUMENT, "Not an aggregate query: " + query.sql());
    }
    Fragment fragment = fragments.create(request.queryId(), plan);
    fragment.enter();
    try {
      List<FileSplit> splits = worker.splits(plan, request.splits());
      BatchStore partial = store(fragment);
      ScanStatistics statistics;
      try {
        statistics = aggregateInParallel(fragment, plan, splits, partial);
        partial = mergeThreads(fragment, partial);
      } catch (RuntimeException e) {
        partial.close();
        throw e;
      }
      worker.scanned(statistics);
      long groups = partial.rows();
      long bytes = partial.bytes();
      boolean spilled = partial.spilled();
      fragment.setPartial(partial);
      long millis = (System.nanoTime() - started) / 1_000_000;
      LOG.info(
          "Query {}: partial aggregation of {} split(s) gave {} groups ({} bytes{}) in {} ms: {}",
          request.queryId(),
          splits.size(),
          groups,
          bytes,
          spilled ? ", partly spilled to disk" : "",
          millis,
          statistics);
      return new PartialReport(
          self,
          true,
          groups,
          bytes,
          millis,
          FragmentProtocol.counters(statistics),
          plan.layout().partialSchema().toJson());
    } catch (RuntimeException | OutOfMemoryError e) {
      fragments.release(request.queryId());
      throw worker.stageFailure(request.queryId(), e);
    } finally {
      fragment.exit();
    }
  }

  /**
   * An empty store for partial groups of {@code fragment}, spilling beyond half the fragment's
   * spill budget: they only wait there for the coordinator's next call.
   */
  private static BatchStore store(Fragment fragment) {
    return new BatchStore(
        fragment.plan().layout().partialSchema(),
        fragment.allocator(),
        Math.max(1, fragment.spill().budgetBytes() / 2),
        fragment.spill().space(),
        fragment.queryId());
  }

  /**
   * Runs one partial-aggregation pipeline per scan thread, each taking splits from a common queue
   * and putting its partial groups into {@code partial}; the threads share the spill budget.
   *
   * @return the scans' counters
   */
  private ScanStatistics aggregateInParallel(
      Fragment fragment, AggregatePlan plan, List<FileSplit> splits, BatchStore partial) {
    ExecutionContext context = worker.context(fragment);
    List<FileSplit> tasks = largestFirst(splits, TASK_BYTES);
    Queue<FileSplit> pending = new ConcurrentLinkedQueue<>(tasks);
    int threads = Math.max(1, Math.min(worker.settings().scanThreads(), tasks.size()));
    ExecutionContext perThread = context.withSpill(context.spill().split(threads));
    List<Future<ScanStatistics>> parts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      parts.add(
          scanPool.submit(
              () -> {
                try (Operator part =
                    Pipelines.partialAggregate(plan, new Taking(pending), perThread)) {
                  while (part.next()) {
                    partial.add(Batches.moved(part.root(), context.allocator()));
                  }
                  return part.statistics();
                }
              }));
    }
    ScanStatistics statistics = ScanStatistics.EMPTY;
    RuntimeException failure = null;
    for (Future<ScanStatistics> part : parts) {
      try {
        statistics = statistics.plus(part.get());
      } catch (ExecutionException e) {
        pending.clear();
        failure =
            failure != null
                ? failure
                : e.getCause() instanceof RuntimeException runtime
                    ? runtime
                    : new IllegalStateException(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        pending.clear();
        failure = new QuiverException(ErrorCode.CANCELLED, "Interrupted");
      }
    }
    if (failure != null) {
      throw failure;
    }
    return statistics;
  }

  /**
   * Row groups of at least this many compressed bytes are a scan thread's task each; smaller ones
   * are taken together up to it. Each task opens its file again (a status request on object
   * storage), so tiny row groups are not worth a task of their own.
   */
  static final long TASK_BYTES = 16L << 20;

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
   * Merges the partials of several scan threads into one set of groups, so that fewer go over the
   * network; a store of one batch, or one that spilled (whose groups are merged by their owners
   * instead), is kept as it is. Takes ownership of {@code partial}.
   */
  private BatchStore mergeThreads(Fragment fragment, BatchStore partial) {
    if (partial.batchesInMemory() <= 1 || partial.spilled()) {
      return partial;
    }
    ExecutionContext context = worker.context(fragment);
    AggregatePlan plan = fragment.plan();
    BatchStore merged = store(fragment);
    try (partial;
        Operator merge =
            Operator.then(
                new SourceOperator(plan.layout().partialSchema(), partial.take()),
                partials ->
                    FinalAggregateOperator.intermediate(partials, plan.layout(), context))) {
      while (merge.next()) {
        merged.add(Batches.moved(merge.root(), context.allocator()));
      }
      return merged;
    } catch (RuntimeException e) {
      merged.close();
      throw e;
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

  /**
   * Splits the partial result by key hash into one partition per owner and sends each to its owner
   * through the exchange (this node's own partition is merged directly).
   */
  ShuffleReport shuffle(ShuffleRequest request) {
    long started = System.nanoTime();
    Fragment fragment = fragments.require(request.queryId());
    fragment.enter();
    ExchangeSink.Sent sent;
    List<Location> owners = Cluster.parse(request.owners());
    List<ExchangeTarget> targets = List.of();
    try (BatchStore partial = fragment.takePartial();
        BatchSource batches = partial.take()) {
      Partitioning partitioning =
          Partitioning.hash(fragment.plan().layout().keys().size(), owners.size());
      targets = worker.targets(fragment, owners, "partition");
      sent = ExchangeSink.Sent.none(owners.size());
      for (VectorSchemaRoot batch = batches.next(); batch != null; batch = batches.next()) {
        try {
          sent = sent.plus(ExchangeSink.send(List.of(batch), partitioning, targets));
        } finally {
          batch.close();
        }
      }
    } catch (RuntimeException e) {
      throw worker.stageFailure(request.queryId(), e);
    } finally {
      fragment.exit();
    }
    return worker.shuffleReport(request.queryId(), owners, sent, targets, started);
  }

  /** Streams this node's partial result to a coordinator elsewhere (a gather). */
  void streamPartial(String queryId, ServerStreamListener listener) {
    Fragment fragment = fragments.require(queryId);
    fragment.enter();
    try (BatchStore partial = fragment.takePartial();
        Operator batches = new SourceOperator(partial.schema(), partial.take())) {
      worker.send(fragment, batches, listener);
    } catch (RuntimeException e) {
      throw worker.stageFailure(queryId, e);
    } finally {
      fragment.exit();
    }
  }

  /** This node's partial result, for a coordinator on this node (a gather); the caller owns it. */
  Operator partials(String queryId) {
    Fragment fragment = fragments.require(queryId);
    BatchStore partial = fragment.takePartial();
    try {
      return new SourceOperator(partial.schema(), new ClosingSource(partial.take(), partial));
    } catch (RuntimeException e) {
      partial.close();
      throw worker.stageFailure(queryId, e);
    }
  }

  /**
   * The final groups of the partition this node owns, after HAVING, in batches; the caller owns the
   * operator and closes it before the query is released here.
   */
  Operator ownedGroups(String queryId) {
    Fragment fragment = fragments.require(queryId);
    fragment.enter();
    try {
      return having(fragment, ownedResult(fragment));
    } catch (RuntimeException e) {
      throw worker.stageFailure(queryId, e);
    } finally {
      fragment.exit();
    }
  }

  private static Operator ownedResult(Fragment fragment) {
    return new SourceOperator(fragment.plan().layout().resultSchema(), fragment.takeOwnedResult());
  }

  /** The groups of {@code result} that pass HAVING (all when HAVING reads an outer aggregate). */
  private Operator having(Fragment fragment, Operator result) {
    AggregatePlan plan = fragment.plan();
    if (plan.outer() != null || plan.having() == null) {
      return result;
    }
    return Operator.then(
        result, groups -> new FilterOperator(groups, plan.having(), worker.context(fragment)));
  }

  /** Streams the final groups this node owns, after HAVING, to a coordinator elsewhere. */
  void streamOwnedResult(String queryId, ServerStreamListener listener) {
    Fragment fragment = fragments.require(queryId);
    fragment.enter();
    try (Operator owned = having(fragment, ownedResult(fragment))) {
      worker.send(fragment, owned, listener);
    } catch (RuntimeException e) {
      throw worker.stageFailure(queryId, e);
    } finally {
      fragment.exit();
    }
  }

  /**
   * Streams this node's share of the answer to a client: its final groups after HAVING, in the
   * query's output columns. The query's state here is freed afterwards.
   */
  void streamOwnedAnswer(String queryId, ServerStreamListener listener) {
    Fragment fragment = fragments.require(queryId);
    fragment.enter();
    AggregatePlan plan = fragment.plan();
    try (Operator answer =
        Operator.then(
            having(fragment, ownedResult(fragment)),
            groups ->
                new ProjectOperator(
                    groups,
                    plan.outputs().stream().map(Projection::field).toList(),
                    plan.outputs().stream().map(Projection::expression).toList(),
                    worker.context(fragment)))) {
      worker.send(fragment, answer, listener);
    } catch (RuntimeException e) {
      throw worker.stageFailure(queryId, e);
    } finally {
      fragment.exit();
      fragments.release(queryId);
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
}
