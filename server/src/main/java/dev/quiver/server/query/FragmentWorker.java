package dev.quiver.server.query;

import static java.util.Objects.requireNonNull;

import dev.quiver.client.MappedArrowFile;
import dev.quiver.parquet.dataset.DataFile;
import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.parquet.scan.FileSplit;
import dev.quiver.parquet.scan.ScanRequest;
import dev.quiver.parquet.scan.ScanStatistics;
import dev.quiver.server.catalog.Catalog;
import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.HeapExhaustion;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.exec.ExecutionContext;
import dev.quiver.server.exec.Operator;
import dev.quiver.server.exec.OperatorCounters;
import dev.quiver.server.exec.Spill;
import dev.quiver.server.physical.PhysicalPlan;
import dev.quiver.server.physical.Scan;
import dev.quiver.server.query.FragmentProtocol.ShuffleReport;
import dev.quiver.server.query.FragmentProtocol.TaskReport;
import dev.quiver.server.query.FragmentProtocol.TaskRequest;
import dev.quiver.server.sql.PlanCodec;
import dev.quiver.server.sql.Query;
import dev.quiver.server.ticket.ScanTicket;
import dev.quiver.shuffle.aggregate.AggregateOverflowException;
import dev.quiver.shuffle.exchange.BatchSender;
import dev.quiver.shuffle.exchange.DescriptorExchangeTarget;
import dev.quiver.shuffle.exchange.ExchangeDescriptor;
import dev.quiver.shuffle.exchange.ExchangeSink;
import dev.quiver.shuffle.exchange.ExchangeSource;
import dev.quiver.shuffle.exchange.ExchangeTarget;
import dev.quiver.shuffle.exchange.FlightExchangeTarget;
import dev.quiver.shuffle.exchange.LocalExchangeTarget;
import dev.quiver.shuffle.memory.HeapBudget;
import dev.quiver.shuffle.memory.HeapReservationException;
import dev.quiver.shuffle.objectstore.ObjectStore;
import dev.quiver.shuffle.spill.SpillException;
import dev.quiver.shuffle.spill.SpillSpace;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Result;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part of distributed queries: it holds the query fragments that live here, runs the
 * tasks it is sent ({@link TaskRunner}), receives the exchange partitions of its opened tasks, and
 * gives the tasks what they share: execution contexts, exchange targets, result streams, failures.
 *
 * <p>The coordinator ({@link StageScheduler}) drives the tasks through a {@link QueryNode}: {@link
 * FragmentProtocol} calls over Flight, or direct calls when it is this node. Every task runs inside
 * the query's {@link Fragment} and fails cleanly when the query was released meanwhile.
 */
public final class FragmentWorker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FragmentWorker.class);

  private final Cluster cluster;
  private final Settings settings;
  private final Fragments fragments;
  private final ExecutorService scanPool;
  private final TaskRunner tasks;
  private final PlanCodec codec;
  private final BufferAllocator spillAllocator;
  private final SpillSpace spillSpace;
  private final Spill spill;
  private final ObjectStore objects;
  private final BufferAllocator mappedAllocator;
  private final CoLocatedPeers coLocated;
  private final HeapBudget heap;
  private volatile Observer observer = Observer.NONE;

  /** Told what this node's scans read and its shuffles sent, e.g. for metrics. */
  public interface Observer {
    Observer NONE =
        new Observer() {
          @Override
          public void scanned(ScanStatistics scan) {}

          @Override
          public void shuffled(long streamedBytes, long descriptorBytes) {}
        };

    /** A scan on this node ended. */
    void scanned(ScanStatistics scan);

    /** A shuffle of this node sent bytes to other nodes. */
    void shuffled(long streamedBytes, long descriptorBytes);

    /** A query's state on this node was freed; its allocator's peak was {@code peakBytes}. */
    default void queryFreed(long peakBytes) {}
  }

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
   * @param spillDirectory where aggregations spill beyond their budget; null never spills
   * @param descriptorExchange whether partitions for peers on this host go through shared memory
   * @param admissionTimeout how long a query waits for a slot when the node runs as many queries as
   *     its memory allows
   * @param heapLimitBytes heap bytes the queries of this node may reserve together for their hash
   *     tables ({@code quiver.heap-limit})
   */
  public record Settings(
      long queryMemoryBytes,
      Duration fragmentTtl,
      ScanRequest batch,
      int exchangeBatchRows,
      Duration peerTimeout,
      int scanThreads,
      long splitBytes,
      Path spillDirectory,
      boolean descriptorExchange,
      Duration admissionTimeout,
      long heapLimitBytes) {
    public Settings {
      if (heapLimitBytes < 1) {
        throw new IllegalArgumentException("heapLimitBytes must be positive: " + heapLimitBytes);
      }
      requireNonNull(admissionTimeout, "admissionTimeout is null");
      requireNonNull(fragmentTtl, "fragmentTtl is null");
      requireNonNull(batch, "batch is null");
      requireNonNull(peerTimeout, "peerTimeout is null");
    }

    /**
     * The part of a query's memory its hash aggregations together keep before they spill: a
     * quarter, so that the batches in flight, the spill's own copies and a table's growth by
     * doubling fit beside it.
     */
    public long spillBudgetBytes() {
      return Math.max(1, queryMemoryBytes / 4);
    }
  }

  /**
   * @param root the process's root allocator; each query gets a named child of it
   */
  /**
   * @param objects the node's shared-memory store, or null: partitions for peers on this host go
   *     through it, and those of peers arrive through theirs; not closed here
   */
  public FragmentWorker(
      Catalog catalog,
      BufferAllocator root,
      Cluster cluster,
      Settings settings,
      ObjectStore objects) {
    this.cluster = requireNonNull(cluster, "cluster is null");
    this.settings = requireNonNull(settings, "settings is null");
    if (settings.spillDirectory() != null) {
      this.spillAllocator = root.newChildAllocator("spill", 0, Long.MAX_VALUE);
      this.spillSpace = new SpillSpace(settings.spillDirectory(), spillAllocator);
    } else {
      this.spillAllocator = null;
      this.spillSpace = null;
    }
    this.heap =
        HeapBudget.root("the node's query heap (quiver.heap-limit)", settings.heapLimitBytes());
    this.spill =
        spillSpace == null
            ? Spill.NONE.withHeap(heap)
            : new Spill(spillSpace, settings.spillBudgetBytes(), heap);
    this.objects = objects;
    this.mappedAllocator =
        objects == null ? null : root.newChildAllocator("mapped-partitions", 0, Long.MAX_VALUE);
    this.coLocated = new CoLocatedPeers(cluster, settings.peerTimeout().toMillis());
    this.fragments =
        new Fragments(
            root,
            settings.queryMemoryBytes(),
            settings.fragmentTtl(),
            spill,
            settings.exchangeBatchRows(),
            settings.admissionTimeout(),
            () -> cluster.self().getUri().toString(),
            peak -> observer.queryFreed(peak));
    this.codec = new PlanCodec(catalog);
    // Tasks carry the submitting thread's trace context, so that exchanges continue the trace.
    this.scanPool =
        io.opentelemetry.context.Context.taskWrapping(
            Executors.newFixedThreadPool(
                Math.max(1, settings.scanThreads()),
                runnable -> {
                  Thread thread = new Thread(runnable, "quiver-scan");
                  thread.setDaemon(true);
                  return thread;
                }));
    this.tasks = new TaskRunner(this, catalog, codec, cluster, fragments, scanPool);
  }

  public Settings settings() {
    return settings;
  }

  /** Query fragments held on this node right now. */
  public int activeFragments() {
    return fragments.size();
  }

  /** Tells {@code observer} what this node's scans read and its shuffles send from now on. */
  public void observe(Observer observer) {
    this.observer = requireNonNull(observer, "observer is null");
  }

  /** Reports a finished scan to the observer. */
  public void scanned(ScanStatistics scan) {
    observer.scanned(scan);
  }

  /** Where and beyond what budget a query's aggregations spill on this node. */
  public Spill spill() {
    return spill;
  }

  /**
   * A budget for the heap arrays of a query's coordinator here: half a query slot's share of the
   * node's heap budget, as the query's fragment gets the other half. The caller closes it.
   */
  public HeapBudget coordinatorHeap(String queryId) {
    return heap.child("query-" + queryId + "-coordinator heap", fragments.queryHeapBytes());
  }

  /** Heap bytes reserved by this node's queries now. */
  public long reservedHeapBytes() {
    return heap.reserved();
  }

  /** Spill files on this node's disk now. */
  public int spillFiles() {
    return spillSpace == null ? 0 : spillSpace.fileCount();
  }

  /** Compressed bytes this node's aggregations spilled since it started. */
  public long spilledBytes() {
    return spillSpace == null ? 0 : spillSpace.bytesWritten();
  }

  /** How plans travel to the nodes. */
  public PlanCodec codec() {
    return codec;
  }

  /** Runs (or opens) one task of a stage here: see {@link TaskRunner#run}. */
  public TaskReport run(TaskRequest request) {
    return tasks.run(request);
  }

  /**
   * The output of a task here, for a coordinator on this node: see {@link TaskRunner#output}; the
   * caller owns the operator.
   */
  Operator output(String queryId, int stage, int task, Consumer<List<OperatorCounters>> counters) {
    return tasks.output(queryId, stage, task, counters);
  }

  /**
   * Streams the output of a task here to the node or client that reads it; with {@code last}, frees
   * the query here afterwards.
   */
  public void stream(
      String queryId, int stage, int task, boolean last, ServerStreamListener listener) {
    tasks.stream(queryId, stage, task, last, listener);
  }

  /**
   * Receives one partition of another node's exchange for a task opened here.
   *
   * @return Arrow bytes received
   */
  public long acceptExchange(ExchangeDescriptor exchange, FlightStream stream) {
    Fragment fragment = fragments.require(exchange.query());
    fragment.enter();
    Fragment.TaskKey task = new Fragment.TaskKey(exchange.stage(), exchange.partition());
    try {
      return ExchangeSource.receive(stream, batch -> fragment.receive(task, batch));
    } catch (RuntimeException e) {
      throw stageFailure(exchange.query(), e);
    } finally {
      fragment.exit();
    }
  }

  /** Frees a query's fragment on this node, if it has one. */
  public void release(String queryId) {
    fragments.release(queryId);
  }

  /**
   * What the operators of a fragment run with: its allocator, cancellation, batch limits and spill
   * budget.
   */
  ExecutionContext context(Fragment fragment) {
    return ExecutionContext.of(
            fragment.queryId(), fragment.allocator(), fragment::checkNotCancelled, settings.batch())
        .withSpill(fragment.spill());
  }

  /**
   * The rows a task's scan reads: the splits the coordinator assigned, or all of this node's own
   * files that its filter may match.
   */
  List<FileSplit> splits(PhysicalPlan plan, List<ScanTicket> assigned) {
    Scan scan = Scan.of(plan);
    if (scan == null) {
      throw new QuiverException(ErrorCode.INVALID_ARGUMENT, "The task scans no dataset");
    }
    Dataset dataset = scan.dataset();
    if (assigned == null) {
      List<FileSplit> splits = new ArrayList<>();
      for (DataFile file : Query.candidateFiles(dataset, scan.filter())) {
        splits.addAll(FileSplit.of(file, settings.splitBytes()));
      }
      return splits;
    }
    return assigned.stream().map(t -> t.toSplit(dataset)).toList();
  }

  /**
   * The targets of an exchange of {@code fragment}, one per consumer task of stage {@code stage} in
   * order: this node's own tasks get their partition straight into their inbox, the others over
   * Flight (or, with {@code byDescriptor}, through shared memory to peers on this host).
   */
  List<ExchangeTarget> targets(
      Fragment fragment, List<Location> owners, int stage, boolean byDescriptor) {
    List<ExchangeTarget> targets = new ArrayList<>();
    String self = cluster.self().getUri().toString();
    for (int p = 0; p < owners.size(); p++) {
      Location owner = owners.get(p);
      String name = owner.getUri().toString();
      Fragment.TaskKey task = new Fragment.TaskKey(stage, p);
      if (cluster.isSelf(owner)) {
        targets.add(
            new LocalExchangeTarget(
                name,
                batch -> fragment.receive(task, batch),
                settings.exchangeBatchRows(),
                fragment.allocator()));
        continue;
      }
      String during =
          "receiving partition " + p + " of stage " + stage + " of query " + fragment.queryId();
      ExchangeTarget stream =
          new FlightExchangeTarget(
              name,
              cluster.client(owner),
              new ExchangeDescriptor(fragment.queryId(), stage, self, p),
              settings.exchangeBatchRows(),
              fragment.allocator(),
              fragment::checkNotCancelled,
              settings.peerTimeout(),
              e -> PeerCalls.failure(owner, e, during));
      Optional<String> nonce =
          objects != null && settings.descriptorExchange() && byDescriptor
              ? coLocated.nonce(owner)
              : Optional.empty();
      if (nonce.isEmpty()) {
        targets.add(stream);
        continue;
      }
      int partition = p;
      targets.add(
          new DescriptorExchangeTarget(
              name,
              objects,
              settings.exchangeBatchRows(),
              fragment.allocator(),
              fragment::checkNotCancelled,
              object ->
                  announce(
                      owner,
                      new FragmentProtocol.ObjectPartition(
                          fragment.queryId(), stage, self, partition, object.path(), nonce.get()),
                      during),
              stream));
    }
    return targets;
  }

  /**
   * Tells a co-located owner where its partition is, and returns once it merged it.
   *
   * @return false if the owner refused it unread, its store not being the one this node checked (it
   *     restarted since): the owner is checked again before its next partition
   */
  private boolean announce(
      Location owner, FragmentProtocol.ObjectPartition partition, String during) {
    try {
      Iterator<Result> results =
          cluster
              .client(owner)
              .doAction(
                  new Action(FragmentProtocol.EXCHANGE_OBJECT, FragmentProtocol.encode(partition)),
                  CallOptions.timeout(settings.peerTimeout().toMillis(), TimeUnit.MILLISECONDS));
      FragmentProtocol.ObjectPartitionReply reply =
          FragmentProtocol.decode(
              results.next().getBody(), FragmentProtocol.ObjectPartitionReply.class);
      results.forEachRemaining(r -> {});
      if (reply.notThisStore()) {
        LOG.info(
            "Peer {} refused partition {} of query {} by descriptor (a new store): streaming it",
            owner.getUri(),
            partition.partition(),
            partition.queryId());
        coLocated.forget(owner);
        return false;
      }
      return true;
    } catch (FlightRuntimeException e) {
      if (e.status().code() == FlightStatusCode.UNAUTHORIZED) {
        coLocated.forget(owner); // it restarted with a new store: ask again next time
      }
      throw PeerCalls.failure(owner, e, during);
    }
  }

  /**
   * Merges a partition a co-located peer wrote into its shared-memory store: the file is mapped and
   * each batch merged where it lies, no byte copied into this process first. A partition whose
   * nonce is not this node's store's is refused unread (the sender checked an earlier incarnation
   * of this node, or another host's store), and the sender streams it instead.
   *
   * @return rows merged, or the refusal
   */
  public FragmentProtocol.ObjectPartitionReply acceptObject(
      FragmentProtocol.ObjectPartition partition) {
    if (objects == null || !objects.isNonce(partition.nonce())) {
      LOG.info(
          "Query {}: partition {} came by descriptor from {} with another store's nonce;"
              + " refused, the sender streams it",
          partition.queryId(),
          partition.partition(),
          partition.sender());
      return FragmentProtocol.ObjectPartitionReply.refused();
    }
    Fragment fragment = fragments.require(partition.queryId());
    fragment.enter();
    Fragment.TaskKey task = new Fragment.TaskKey(partition.stage(), partition.partition());
    long rows = 0;
    try (MappedArrowFile file = MappedArrowFile.open(Path.of(partition.path()), mappedAllocator);
        VectorSchemaRoot batch = VectorSchemaRoot.create(file.schema(), mappedAllocator)) {
      for (int b = 0; b < file.batchCount(); b++) {
        file.load(b, batch);
        fragment.receive(task, batch);
        rows += batch.getRowCount();
      }
      return FragmentProtocol.ObjectPartitionReply.merged(rows);
    } catch (RuntimeException e) {
      throw stageFailure(partition.queryId(), e);
    } finally {
      fragment.exit();
    }
  }

  /** What an exchange sent, as the coordinator's report has it, logged here too. */
  ShuffleReport shuffleReport(
      String queryId,
      List<Location> owners,
      ExchangeSink.Sent sent,
      List<ExchangeTarget> targets,
      long startedNanos) {
    Map<String, Long> bytesTo = new LinkedHashMap<>();
    for (int p = 0; p < owners.size(); p++) {
      bytesTo.merge(owners.get(p).getUri().toString(), sent.bytes().get(p), Long::sum);
    }
    long millis = (System.nanoTime() - startedNanos) / 1_000_000;
    LOG.info(
        "Query {}: sent {} rows to other nodes, bytes by owner {}, in {} ms",
        queryId,
        sent.rowsOut(),
        bytesTo,
        millis);
    long descriptorBytes = targets.stream().mapToLong(ExchangeTarget::descriptorBytes).sum();
    long out = 0;
    for (int p = 0; p < owners.size(); p++) {
      if (!cluster.isSelf(owners.get(p))) {
        out += sent.bytes().get(p);
      }
    }
    observer.shuffled(out - descriptorBytes, descriptorBytes);
    return new ShuffleReport(
        cluster.self().getUri().toString(), bytesTo, sent.rowsOut(), millis, descriptorBytes);
  }

  /**
   * Streams every batch of {@code batches} to the node or client that reads a task's output, with
   * its backpressure, then, when {@code trailer} gives any, a last message of metadata only.
   */
  void send(
      Fragment fragment,
      Operator batches,
      ServerStreamListener listener,
      Supplier<byte[]> trailer) {
    try (VectorSchemaRoot wire = VectorSchemaRoot.create(batches.schema(), fragment.allocator())) {
      listener.start(wire);
      while (batches.next()) {
        sendRows(fragment, wire, batches.root(), listener);
      }
      byte[] metadata = trailer.get();
      if (metadata != null) {
        ArrowBuf buffer = fragment.allocator().buffer(metadata.length);
        buffer.writeBytes(metadata);
        listener.putMetadata(buffer);
      }
      listener.completed();
    }
  }

  private void sendRows(
      Fragment fragment,
      VectorSchemaRoot wire,
      VectorSchemaRoot batch,
      ServerStreamListener listener) {
    BatchSender.send(
        listener,
        wire,
        batch,
        null,
        settings.exchangeBatchRows(),
        fragment.allocator(),
        () -> {
          fragment.checkNotCancelled();
          if (listener.isCancelled()) {
            throw new QuiverException(ErrorCode.CANCELLED, "The coordinator cancelled the stream");
          }
        },
        settings.peerTimeout());
  }

  /**
   * What a failed stage means for the client: memory and overflow failures get their status, and
   * the JVM's heap running out (an {@link OutOfMemoryError} the heap budgets did not foresee) is
   * RESOURCE_EXHAUSTED naming the query and the node, never INTERNAL.
   */
  RuntimeException stageFailure(String queryId, Throwable failure) {
    String self = cluster.self().getUri().toString();
    OutOfMemoryError heapError = HeapExhaustion.causeOf(failure);
    if (heapError != null) {
      LOG.warn("Query {} ran out of the JVM's heap on this node", queryId, failure);
      return new QuiverException(
          ErrorCode.RESOURCE_EXHAUSTED,
          "Query "
              + queryId
              + " ran out of the JVM's heap ("
              + HeapExhaustion.heapLimit()
              + ") on "
              + self
              + ", beyond what its heap budget (quiver.heap-limit) foresaw; retry later",
          heapError);
    }
    if (!(failure instanceof RuntimeException e)) {
      return new IllegalStateException(failure);
    }
    if (e instanceof HeapReservationException) {
      return new QuiverException(
          ErrorCode.RESOURCE_EXHAUSTED,
          "Query "
              + queryId
              + " exceeded its heap memory limit on "
              + self
              + " (its share of quiver.heap-limit), even after any spill: "
              + e.getMessage()
              + "; too many groups to aggregate in memory",
          e);
    }
    if (e instanceof OutOfMemoryException) {
      LOG.warn("Query {} ran out of memory on this node", queryId, e);
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
    if (e instanceof SpillException) {
      return new QuiverException(
          ErrorCode.RESOURCE_EXHAUSTED,
          "Query " + queryId + " could not spill on " + self + ": " + e.getMessage());
    }
    return e;
  }

  @Override
  public void close() {
    try {
      fragments.close();
      scanPool.shutdownNow();
    } finally {
      if (spillSpace != null) {
        spillSpace.close();
        spillAllocator.close();
      }
      if (mappedAllocator != null) {
        mappedAllocator.close();
      }
    }
  }
}
