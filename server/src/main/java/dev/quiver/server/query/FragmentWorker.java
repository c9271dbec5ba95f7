package dev.quiver.server.query;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.dataset.DataFile;
import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.parquet.scan.FileSplit;
import dev.quiver.parquet.scan.ScanRequest;
import dev.quiver.parquet.scan.ScanStatistics;
import dev.quiver.server.catalog.Catalog;
import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.exec.FilterOperator;
import dev.quiver.server.exec.Operator;
import dev.quiver.server.exec.ProjectOperator;
import dev.quiver.server.exec.ScanOperator;
import dev.quiver.server.query.FragmentProtocol.ExchangeHeader;
import dev.quiver.server.query.FragmentProtocol.PartialReport;
import dev.quiver.server.query.FragmentProtocol.PartialRequest;
import dev.quiver.server.query.FragmentProtocol.ShuffleReport;
import dev.quiver.server.query.FragmentProtocol.ShuffleRequest;
import dev.quiver.server.sql.AggregatePlan;
import dev.quiver.server.sql.PlanCodec;
import dev.quiver.server.sql.Projection;
import dev.quiver.server.sql.Query;
import dev.quiver.server.sql.QueryPlanner;
import dev.quiver.server.ticket.ScanTicket;
import dev.quiver.shuffle.aggregate.AggregateOverflowException;
import dev.quiver.shuffle.aggregate.HashAggregator;
import dev.quiver.shuffle.exchange.BatchSender;
import dev.quiver.shuffle.partition.HashPartitioner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.flight.AsyncPutListener;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part of distributed queries: the partial stage (scan with pushdown and partial
 * aggregation), the shuffle stage (hash-partition the partials and send each partition to its
 * owner), receiving partitions it owns, and handing out partial or final results.
 *
 * <p>The coordinator drives the stages through {@link FragmentProtocol} calls, or directly when it
 * is this node. Every stage runs inside the query's {@link Fragment} and fails cleanly when the
 * query was released meanwhile.
 */
public final class FragmentWorker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FragmentWorker.class);

  private final Catalog catalog;
  private final QueryPlanner planner;
  private final Cluster cluster;
  private final Settings settings;
  private final Fragments fragments;
  private final ExecutorService scanPool;
  private final SortStages sort;
  private final PlanCodec codec;

  /**
   * How fragments run.
   *
   * @param queryMemoryBytes limit of each query's allocator on this node
   * @param fragmentTtl how long a query's fragment may live on this node
   * @param batch rows and bytes of scan batches
   * @param exchangeBatchRows most rows per batch sent between nodes
   * @param peerTimeout how long a call to another node may take
   * @param scanThreads how many splits of one query a node scans at once
   * @param splitBytes compressed bytes of row groups per split of a node's own files
   */
  public record Settings(
      long queryMemoryBytes,
      Duration fragmentTtl,
      ScanRequest batch,
      int exchangeBatchRows,
      Duration peerTimeout,
      int scanThreads,
      long splitBytes) {
    public Settings {
      requireNonNull(fragmentTtl, "fragmentTtl is null");
      requireNonNull(batch, "batch is null");
      requireNonNull(peerTimeout, "peerTimeout is null");
    }
  }

  /**
   * @param root the process's root allocator; each query gets a named child of it
   */
  public FragmentWorker(Catalog catalog, BufferAllocator root, Cluster cluster, Settings settings) {
    this.catalog = requireNonNull(catalog, "catalog is null");
    this.planner = new QueryPlanner(catalog);
    this.cluster = requireNonNull(cluster, "cluster is null");
    this.settings = requireNonNull(settings, "settings is null");
    this.fragments = new Fragments(root, settings.queryMemoryBytes(), settings.fragmentTtl());
    this.codec = new PlanCodec(catalog);
    this.sort = new SortStages(this, catalog, codec, cluster, fragments);
    this.scanPool =
        Executors.newFixedThreadPool(
            Math.max(1, settings.scanThreads()),
            runnable -> {
              Thread thread = new Thread(runnable, "quiver-scan");
              thread.setDaemon(true);
              return thread;
            });
  }

  public Settings settings() {
    return settings;
  }

  /** Query fragments held on this node right now. */
  public int activeFragments() {
    return fragments.size();
  }

  /** Plans {@code sql} as an aggregation, as every node does with the coordinator's text. */
  AggregatePlan plan(String encoded) {
    Query query = codec.decode(encoded);
    if (!(query instanceof AggregatePlan plan)) {
      throw new QuiverException(
          ErrorCode.INVALID_ARGUMENT, "Not an aggregate query: " + query.sql());
    }
    return plan;
  }

  /** How plans travel to the nodes. */
  public PlanCodec codec() {
    return codec;
  }

  /**
   * Scans this node's part of the dataset and aggregates it partially; the partial result stays in
   * the query's fragment until it is gathered, shuffled or released.
   *
   * <p>A node that does not serve the query's dataset reports so and holds nothing.
   */
  public PartialReport partial(PartialRequest request) {
    String dataset = request.dataset();
    String self = cluster.self().getUri().toString();
    if (catalog.find(dataset).isEmpty()) {
      LOG.info(
          "Query {}: no dataset '{}' on this node; nothing to scan", request.queryId(), dataset);
      return new PartialReport(self, false, 0, 0, 0, Map.of(), null);
    }
    long started = System.nanoTime();
    AggregatePlan plan = plan(request.plan());
    Fragment fragment = fragments.create(request.queryId(), plan);
    fragment.enter();
    try {
      List<FileSplit> splits = splits(plan, request.splits());
      ScannedPart scanned = aggregateInParallel(fragment, splits);
      VectorSchemaRoot partial = scanned.partial();
      ScanStatistics statistics = scanned.statistics();
      long groups = partial.getRowCount();
      long bytes = bufferBytes(partial);
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
      throw stageFailure(request.queryId(), fragment, e);
    } finally {
      fragment.exit();
    }
  }

  /**
   * Scans {@code splits} on up to {@link Settings#scanThreads()} threads, each aggregating the
   * splits it takes into its own aggregator, then merges their partials into one.
   *
   * @return the partial result, owned by the caller, and the scan's counters
   */
  private ScannedPart aggregateInParallel(Fragment fragment, List<FileSplit> splits) {
    AggregatePlan plan = fragment.plan();
    ScanRequest scan = scanRequest(plan);
    Queue<FileSplit> pending = new ConcurrentLinkedQueue<>(splits);
    int threads = Math.max(1, Math.min(settings.scanThreads(), splits.size()));
    List<Future<ScannedPart>> parts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      parts.add(scanPool.submit(() -> scanPart(fragment, scan, pending)));
    }
    List<ScannedPart> done = new ArrayList<>();
    RuntimeException failure = null;
    for (Future<ScannedPart> part : parts) {
      try {
        done.add(part.get());
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
    ScanStatistics statistics = ScanStatistics.EMPTY;
    try (HashAggregator merged = new HashAggregator(plan.layout(), fragment.allocator())) {
      for (ScannedPart part : done) {
        statistics = statistics.plus(part.statistics());
        try (VectorSchemaRoot partial = part.partial()) {
          if (failure == null) {
            merged.addPartial(partial);
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
      return new ScannedPart(merged.takePartial(), statistics);
    }
  }

  /** One scan thread's partial result and counters. */
  private record ScannedPart(VectorSchemaRoot partial, ScanStatistics statistics) {}

  private ScannedPart scanPart(Fragment fragment, ScanRequest scan, Queue<FileSplit> pending) {
    AggregatePlan plan = fragment.plan();
    ScanStatistics statistics = ScanStatistics.EMPTY;
    try (HashAggregator aggregator = new HashAggregator(plan.layout(), fragment.allocator())) {
      for (FileSplit split = pending.poll(); split != null; split = pending.poll()) {
        try (Operator input = aggregationInput(plan, split, scan, fragment.allocator())) {
          while (input.next()) {
            fragment.checkNotCancelled();
            aggregator.addInput(input.root());
          }
          statistics = statistics.plus(input.statistics());
        }
      }
      return new ScannedPart(aggregator.takePartial(), statistics);
    }
  }

  /**
   * What the aggregation of one split reads: the scan, filtered by the residual, with the layout's
   * computed keys and arguments.
   */
  private static Operator aggregationInput(
      AggregatePlan plan, FileSplit split, ScanRequest scan, BufferAllocator allocator) {
    Operator operator = new ScanOperator(List.of(split), plan.dataset().schema(), scan, allocator);
    try {
      if (plan.residual() != null) {
        operator = new FilterOperator(operator, plan.residual(), allocator);
      }
      if (!plan.inputs().isEmpty()) {
        operator =
            new ProjectOperator(
                operator,
                plan.inputFields(),
                plan.inputs().stream().map(Projection::expression).toList(),
                allocator);
      }
      return operator;
    } catch (RuntimeException e) {
      operator.close();
      throw e;
    }
  }

  /** The scan of an aggregation: its columns (at least one, so rows are counted) and filter. */
  private ScanRequest scanRequest(AggregatePlan plan) {
    List<String> columns = plan.scanColumns();
    if (columns.isEmpty()) {
      columns = List.of(plan.dataset().schema().getFields().get(0).getName());
    }
    return new ScanRequest(
        columns,
        plan.filter(),
        settings.batch().maxBatchRows(),
        settings.batch().targetBatchBytes());
  }

  List<FileSplit> splits(Query plan, List<ScanTicket> assigned) {
    Dataset dataset = plan.dataset();
    if (assigned == null) {
      List<FileSplit> splits = new ArrayList<>();
      for (DataFile file : plan.candidateFiles()) {
        splits.addAll(FileSplit.of(file, settings.splitBytes()));
      }
      return splits;
    }
    return assigned.stream().map(t -> t.toSplit(dataset)).toList();
  }

  /** Hands this node's partial result to the coordinator running on this node. */
  VectorSchemaRoot takePartial(String queryId) {
    return fragments.require(queryId).takePartial();
  }

  /** Streams this node's partial result to a coordinator elsewhere (a gather). */
  public void streamPartial(String queryId, ServerStreamListener listener) {
    Fragment fragment = fragments.require(queryId);
    fragment.enter();
    try (VectorSchemaRoot partial = fragment.takePartial()) {
      send(fragment, partial, listener);
    } catch (RuntimeException e) {
      throw stageFailure(queryId, fragment, e);
    } finally {
      fragment.exit();
    }
  }

  /**
   * Splits the partial result by key hash into one partition per owner and sends each to its owner:
   * over {@code DoPut} to other nodes, merged directly for this node's own partition.
   */
  public ShuffleReport shuffle(ShuffleRequest request) {
    long started = System.nanoTime();
    Fragment fragment = fragments.require(request.queryId());
    fragment.enter();
    String self = cluster.self().getUri().toString();
    Map<String, Long> bytesTo = new LinkedHashMap<>();
    long rowsOut = 0;
    try (VectorSchemaRoot partial = fragment.takePartial()) {
      List<Location> owners = Cluster.parse(request.owners());
      HashPartitioner partitioner = new HashPartitioner(owners.size());
      int keyCount = fragment.plan().layout().keys().size();
      List<FieldVector> keys = partial.getFieldVectors().subList(0, keyCount);
      int[][] rowsOf = partitioner.assign(keys, partial.getRowCount());
      for (int p = 0; p < owners.size(); p++) {
        Location owner = owners.get(p);
        long bytes =
            cluster.isSelf(owner)
                ? mergeOwn(fragment, partial, rowsOf[p])
                : put(fragment, List.of(new Slice(partial, rowsOf[p])), owner, p, "partition");
        bytesTo.merge(owner.getUri().toString(), bytes, Long::sum);
        if (!cluster.isSelf(owner)) {
          rowsOut += rowsOf[p].length;
        }
      }
    } catch (RuntimeException e) {
      throw stageFailure(request.queryId(), fragment, e);
    } finally {
      fragment.exit();
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    LOG.info(
        "Query {}: shuffled {} rows out, bytes by owner {}, in {} ms",
        request.queryId(),
        rowsOut,
        bytesTo,
        millis);
    return new ShuffleReport(self, bytesTo, rowsOut, millis);
  }

  private long mergeOwn(Fragment fragment, VectorSchemaRoot partial, int[] rows) {
    long bytes = 0;
    for (int from = 0; from < rows.length; from += settings.exchangeBatchRows()) {
      int to = Math.min(rows.length, from + settings.exchangeBatchRows());
      try (VectorSchemaRoot batch =
          HashPartitioner.copyRows(partial, rows, from, to, fragment.allocator())) {
        bytes += bufferBytes(batch);
        fragment.mergeOwned(batch);
      }
    }
    return bytes;
  }

  /** Rows {@code rows} of {@code source}: part of what one node sends another. */
  record Slice(VectorSchemaRoot source, int[] rows) {}

  /**
   * Sends {@code slices} (all of one schema) to {@code owner} as partition {@code p} of the query's
   * exchange, over one {@code DoPut}, and waits for the owner's acknowledgement.
   *
   * @param what what the partition is, for messages ("partition", "range")
   * @return Arrow bytes sent
   */
  long put(Fragment fragment, List<Slice> slices, Location owner, int p, String what) {
    FlightClient client = cluster.client(owner);
    ExchangeHeader header =
        new ExchangeHeader(fragment.queryId(), cluster.self().getUri().toString(), p);
    FlightDescriptor descriptor = FlightDescriptor.command(FragmentProtocol.encode(header));
    try (VectorSchemaRoot wire =
        VectorSchemaRoot.create(slices.get(0).source().getSchema(), fragment.allocator())) {
      FlightClient.ClientStreamListener stream =
          client.startPut(
              descriptor, wire, new AsyncPutListener(), PeerCalls.timeout(settings.peerTimeout()));
      long bytes = 0;
      try {
        for (Slice slice : slices) {
          bytes +=
              BatchSender.send(
                  stream,
                  wire,
                  slice.source(),
                  slice.rows(),
                  settings.exchangeBatchRows(),
                  fragment.allocator(),
                  fragment::checkNotCancelled,
                  settings.peerTimeout());
        }
      } catch (RuntimeException e) {
        stream.error(e);
        throw e;
      }
      stream.completed();
      stream.getResult();
      return bytes;
    } catch (FlightRuntimeException e) {
      throw PeerCalls.failure(
          owner, e, "receiving " + what + " " + p + " of query " + fragment.queryId());
    }
  }

  /**
   * Merges one partition of another node's partials into the groups this node owns.
   *
   * @return Arrow bytes received
   */
  public long acceptExchange(ExchangeHeader header, FlightStream stream) {
    Fragment fragment = fragments.require(header.exchange());
    fragment.enter();
    long bytes = 0;
    try {
      while (stream.next()) {
        VectorSchemaRoot batch = stream.getRoot();
        bytes += bufferBytes(batch);
        fragment.mergeOwned(batch);
      }
      return bytes;
    } catch (RuntimeException e) {
      throw stageFailure(header.exchange(), fragment, e);
    } finally {
      fragment.exit();
    }
  }

  /** The final groups of the partition this node owns, after HAVING, for a coordinator here. */
  VectorSchemaRoot takeOwnedResult(String queryId) {
    Fragment fragment = fragments.require(queryId);
    fragment.enter();
    try {
      return ResultAssembler.having(
          fragment.plan(), fragment.takeOwnedResult(), fragment.allocator());
    } catch (RuntimeException e) {
      throw stageFailure(queryId, fragment, e);
    } finally {
      fragment.exit();
    }
  }

  /** Streams the final groups this node owns, after HAVING, to a coordinator elsewhere. */
  public void streamOwnedResult(String queryId, ServerStreamListener listener) {
    Fragment fragment = fragments.require(queryId);
    fragment.enter();
    try (VectorSchemaRoot result =
        ResultAssembler.having(fragment.plan(), fragment.takeOwnedResult(), fragment.allocator())) {
      send(fragment, result, listener);
    } catch (RuntimeException e) {
      throw stageFailure(queryId, fragment, e);
    } finally {
      fragment.exit();
    }
  }

  /**
   * Streams this node's share of the answer to a client: its final groups after HAVING, in the
   * query's output columns. The query's state here is freed afterwards.
   */
  public void streamOwnedAnswer(String queryId, ServerStreamListener listener) {
    Fragment fragment = fragments.require(queryId);
    fragment.enter();
    try (ResultAssembler share = new ResultAssembler(fragment.plan(), fragment.allocator());
        VectorSchemaRoot projected =
            VectorSchemaRoot.create(fragment.plan().schema(), fragment.allocator())) {
      share.add(
          ResultAssembler.having(
              fragment.plan(), fragment.takeOwnedResult(), fragment.allocator()));
      share.fill(projected, 0, share.rowCount());
      send(fragment, projected, listener);
    } catch (RuntimeException e) {
      throw stageFailure(queryId, fragment, e);
    } finally {
      fragment.exit();
      fragments.release(queryId);
    }
  }

  private void send(Fragment fragment, VectorSchemaRoot result, ServerStreamListener listener) {
    try (VectorSchemaRoot wire =
        VectorSchemaRoot.create(result.getSchema(), fragment.allocator())) {
      listener.start(wire);
      BatchSender.send(
          listener,
          wire,
          result,
          null,
          settings.exchangeBatchRows(),
          fragment.allocator(),
          () -> {
            fragment.checkNotCancelled();
            if (listener.isCancelled()) {
              throw new QuiverException(
                  ErrorCode.CANCELLED, "The coordinator cancelled the stream");
            }
          },
          settings.peerTimeout());
      listener.completed();
    }
  }

  /** The scan stage of a distributed sort: see {@link SortStages#scan}. */
  public FragmentProtocol.SortScanReport sortScan(FragmentProtocol.SortScanRequest request) {
    return sort.scan(request);
  }

  /** The range shuffle of a distributed sort: see {@link SortStages#shuffle}. */
  public ShuffleReport rangeShuffle(FragmentProtocol.RangeShuffleRequest request) {
    return sort.shuffle(request);
  }

  /** Streams this node's range of a distributed sort: see {@link SortStages#streamRange}. */
  public void streamRange(String queryId, ServerStreamListener listener) {
    sort.streamRange(queryId, listener);
  }

  /** Frees a query's fragment on this node, if it has one. */
  public void release(String queryId) {
    fragments.release(queryId);
  }

  RuntimeException stageFailure(String queryId, Fragment fragment, RuntimeException e) {
    String self = cluster.self().getUri().toString();
    if (e instanceof OutOfMemoryException) {
      return new QuiverException(
          ErrorCode.RESOURCE_EXHAUSTED,
          "Query "
              + queryId
              + " exceeded its memory limit of "
              + settings.queryMemoryBytes()
              + " bytes on "
              + self
              + " (quiver.query-memory-limit): too many groups to aggregate in memory");
    }
    if (e instanceof AggregateOverflowException) {
      return new QuiverException(ErrorCode.INVALID_ARGUMENT, e.getMessage());
    }
    return e;
  }

  static long bufferBytes(VectorSchemaRoot root) {
    long bytes = 0;
    for (FieldVector vector : root.getFieldVectors()) {
      bytes += vector.getBufferSize();
    }
    return bytes;
  }

  @Override
  public void close() {
    fragments.close();
    scanPool.shutdownNow();
  }
}
