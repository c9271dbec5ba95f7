package dev.quiver.server.query;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.scan.FileSplit;
import dev.quiver.parquet.scan.ScanStatistics;
import dev.quiver.server.catalog.Catalog;
import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.exec.BatchOperator;
import dev.quiver.server.exec.Batches;
import dev.quiver.server.exec.ConcatOperator;
import dev.quiver.server.exec.ExecutionContext;
import dev.quiver.server.exec.FinalAggregateOperator;
import dev.quiver.server.exec.Operator;
import dev.quiver.server.query.FragmentProtocol.PartialReport;
import dev.quiver.server.query.FragmentProtocol.PartialRequest;
import dev.quiver.server.query.FragmentProtocol.ShuffleReport;
import dev.quiver.server.query.FragmentProtocol.ShuffleRequest;
import dev.quiver.server.sql.AggregatePlan;
import dev.quiver.server.sql.Pipelines;
import dev.quiver.server.sql.PlanCodec;
import dev.quiver.server.sql.Query;
import dev.quiver.shuffle.exchange.ExchangeSink;
import dev.quiver.shuffle.exchange.Partitioning;
import java.util.ArrayList;
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
      ScannedPart scanned = aggregateInParallel(fragment, plan, splits);
      ScanStatistics statistics = scanned.statistics();
      VectorSchemaRoot partial = scanned.partial();
      long groups = partial.getRowCount();
      long bytes = FragmentWorker.bufferBytes(partial);
      fragment.setPartial(partial);
      long millis = (System.nanoTime() - started) / 1_000_000;
      LOG.info(
          "Query {}: partial aggregation of {} split(s) gave {} groups ({} bytes) in {} ms: {}",
          request.queryId(),
          splits.size(),
          groups,
          bytes,
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
    } catch (RuntimeException e) {
      fragments.release(request.queryId());
      throw worker.stageFailure(request.queryId(), e);
    } finally {
      fragment.exit();
    }
  }

  /** A partial result, owned by whoever holds the record, and the scan's counters. */
  private record ScannedPart(VectorSchemaRoot partial, ScanStatistics statistics) {}

  /**
   * Runs one partial-aggregation pipeline per scan thread, each taking splits from a common queue,
   * and merges their partials into one.
   */
  private ScannedPart aggregateInParallel(
      Fragment fragment, AggregatePlan plan, List<FileSplit> splits) {
    ExecutionContext context = worker.context(fragment);
    Queue<FileSplit> pending = new ConcurrentLinkedQueue<>(splits);
    int threads = Math.max(1, Math.min(worker.settings().scanThreads(), splits.size()));
    List<Future<ScannedPart>> parts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      parts.add(
          scanPool.submit(
              () -> {
                try (Operator part =
                    Pipelines.partialAggregate(plan, new Taking(pending), context)) {
                  part.next();
                  return new ScannedPart(
                      Batches.moved(part.root(), context.allocator()), part.statistics());
                }
              }));
    }
    List<VectorSchemaRoot> done = new ArrayList<>();
    ScanStatistics statistics = ScanStatistics.EMPTY;
    RuntimeException failure = null;
    for (Future<ScannedPart> part : parts) {
      try {
        ScannedPart scanned = part.get();
        done.add(scanned.partial());
        statistics = statistics.plus(scanned.statistics());
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
    if (failure == null && done.size() == 1) {
      // One scan thread: its partial is the node's, with nothing to merge.
      return new ScannedPart(done.get(0), statistics);
    }
    try (Operator merged =
        Operator.then(
            ConcatOperator.of(
                plan.layout().partialSchema(),
                done.stream().<Operator>map(BatchOperator::new).toList()),
            partials -> FinalAggregateOperator.intermediate(partials, plan.layout(), context))) {
      if (failure != null) {
        throw failure;
      }
      merged.next();
      return new ScannedPart(Batches.moved(merged.root(), context.allocator()), statistics);
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
    try (VectorSchemaRoot partial = fragment.takePartial()) {
      sent =
          ExchangeSink.send(
              List.of(partial),
              Partitioning.hash(fragment.plan().layout().keys().size(), owners.size()),
              worker.targets(fragment, owners, "partition"));
    } catch (RuntimeException e) {
      throw worker.stageFailure(request.queryId(), e);
    } finally {
      fragment.exit();
    }
    return worker.shuffleReport(request.queryId(), owners, sent, started);
  }

  /** Streams this node's partial result to a coordinator elsewhere (a gather). */
  void streamPartial(String queryId, ServerStreamListener listener) {
    Fragment fragment = fragments.require(queryId);
    fragment.enter();
    try (VectorSchemaRoot partial = fragment.takePartial()) {
      worker.send(fragment, partial, listener);
    } catch (RuntimeException e) {
      throw worker.stageFailure(queryId, e);
    } finally {
      fragment.exit();
    }
  }

  /** The final groups of the partition this node owns, after HAVING; the caller owns them. */
  VectorSchemaRoot takeOwnedResult(String queryId) {
    Fragment fragment = fragments.require(queryId);
    fragment.enter();
    try {
      return ResultAssembler.having(
          fragment.plan(), fragment.takeOwnedResult(), fragment.allocator());
    } catch (RuntimeException e) {
      throw worker.stageFailure(queryId, e);
    } finally {
      fragment.exit();
    }
  }

  /** Streams the final groups this node owns, after HAVING, to a coordinator elsewhere. */
  void streamOwnedResult(String queryId, ServerStreamListener listener) {
    try (VectorSchemaRoot result = takeOwnedResult(queryId)) {
      Fragment fragment = fragments.require(queryId);
      fragment.enter();
      try {
        worker.send(fragment, result, listener);
      } catch (RuntimeException e) {
        throw worker.stageFailure(queryId, e);
      } finally {
        fragment.exit();
      }
    }
  }

  /**
   * Streams this node's share of the answer to a client: its final groups after HAVING, in the
   * query's output columns. The query's state here is freed afterwards.
   */
  void streamOwnedAnswer(String queryId, ServerStreamListener listener) {
    Fragment fragment = fragments.require(queryId);
    fragment.enter();
    try (ResultAssembler share = new ResultAssembler(fragment.plan(), fragment.allocator());
        VectorSchemaRoot projected =
            VectorSchemaRoot.create(fragment.plan().schema(), fragment.allocator())) {
      share.add(
          ResultAssembler.having(
              fragment.plan(), fragment.takeOwnedResult(), fragment.allocator()));
      share.fill(projected, 0, share.rowCount());
      worker.send(fragment, projected, listener);
    } catch (RuntimeException e) {
      throw worker.stageFailure(queryId, e);
    } finally {
      fragment.exit();
      fragments.release(queryId);
    }
  }
}
