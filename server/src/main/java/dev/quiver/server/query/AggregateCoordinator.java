package dev.quiver.server.query;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.scan.ScanStatistics;
import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.cluster.Placement;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.exec.Batches;
import dev.quiver.server.exec.ConcatOperator;
import dev.quiver.server.exec.ExecutionContext;
import dev.quiver.server.exec.FilterOperator;
import dev.quiver.server.exec.FinalAggregateOperator;
import dev.quiver.server.exec.Operator;
import dev.quiver.server.exec.ProjectOperator;
import dev.quiver.server.exec.Spill;
import dev.quiver.server.query.FragmentProtocol.PartialReport;
import dev.quiver.server.query.FragmentProtocol.PartialRequest;
import dev.quiver.server.query.FragmentProtocol.ShuffleRequest;
import dev.quiver.server.sql.AggregatePlan;
import dev.quiver.server.sql.Projection;
import dev.quiver.shuffle.aggregate.AggregateOverflowException;
import dev.quiver.shuffle.memory.HeapBudget;
import dev.quiver.shuffle.partition.HashPartitioner;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleConsumer;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an aggregation across the cluster from the node that received it.
 *
 * <ol>
 *   <li>Partial: every node scans its part (its own files, or the row-group splits assigned to it
 *       for a shared dataset) and aggregates it partially, keeping the result.
 *   <li>Strategy: when the partial results are small (at most the gather threshold in all, or a
 *       global aggregate), the coordinator gathers them and merges them itself; otherwise every
 *       node hash-partitions its partials and sends partition {@code p} to owner {@code p}.
 *   <li>Final: the coordinator merges the gathered partials, or collects each owner's merged
 *       groups; HAVING runs where groups are final, ORDER BY and LIMIT on the coordinator.
 * </ol>
 *
 * Whatever happens, every node's fragment of the query is released before {@link #run} returns.
 */
public final class AggregateCoordinator {
  private static final Logger LOG = LoggerFactory.getLogger(AggregateCoordinator.class);

  private final FragmentWorker worker;
  private final Cluster cluster;
  private final ExecutorService executor;
  private final Settings settings;
  private final NodeCalls calls;

  /**
   * @param gatherThresholdBytes partial results up to this size in all are gathered, not shuffled
   * @param splitBytes compressed bytes per split when handing out a shared dataset
   * @param sharedDatasets datasets every node sees in full
   */
  public record Settings(long gatherThresholdBytes, long splitBytes, Set<String> sharedDatasets) {
    public Settings {
      sharedDatasets = Set.copyOf(sharedDatasets);
    }
  }

  /** How the partial results reached their final aggregation. */
  public enum Strategy {
    GATHER,
    SHUFFLE
  }

  /**
   * @param executor runs the calls to the nodes in parallel
   */
  public AggregateCoordinator(
      FragmentWorker worker, Cluster cluster, ExecutorService executor, Settings settings) {
    this.worker = requireNonNull(worker, "worker is null");
    this.cluster = requireNonNull(cluster, "cluster is null");
    this.executor = requireNonNull(executor, "executor is null");
    this.settings = requireNonNull(settings, "settings is null");
    this.calls = new NodeCalls(cluster, worker, executor);
  }

  /**
   * Runs {@code plan} as query {@code queryId}.
   *
   * @param allocator the query's allocator on this node; the answer lives in it
   * @param cancelled polled while waiting; true stops the query with CANCELLED
   * @return the answer and what each node did; the caller closes it
   */
  public CoordinatedResult run(
      String queryId, AggregatePlan plan, BufferAllocator allocator, BooleanSupplier cancelled) {
    return run(queryId, plan, allocator, cancelled, progress -> {});
  }

  /**
   * Runs {@code plan} as query {@code queryId}, reporting progress from 0 to 1: 0.8 once every node
   * has scanned its part (in proportion as they finish), 0.9 after the shuffle, 1 when the answer
   * is assembled.
   */
  public CoordinatedResult run(
      String queryId,
      AggregatePlan plan,
      BufferAllocator allocator,
      BooleanSupplier cancelled,
      DoubleConsumer progress) {
    return run(queryId, plan, allocator, cancelled, progress, false);
  }

  /**
   * As {@link #run(String, AggregatePlan, BufferAllocator, BooleanSupplier, DoubleConsumer)}; with
   * {@code answerOnOwners}, a shuffled query without ORDER BY or LIMIT leaves each owner's share of
   * the answer on the owner, for the client to read from there ({@link
   * CoordinatedResult#owners()}).
   */
  public CoordinatedResult run(
      String queryId,
      AggregatePlan plan,
      BufferAllocator allocator,
      BooleanSupplier cancelled,
      DoubleConsumer progress,
      boolean answerOnOwners) {
    QueryNodes nodes =
        QueryNodes.of(queryId, plan, cluster, settings.sharedDatasets(), settings.splitBytes());
    List<Location> members = nodes.members();
    List<QueryNode> memberNodes = calls.nodes(members);
    Placement placement = nodes.placement();
    QueryReport report = new QueryReport(queryId, members);
    LOG.info(
        "Query {}: {} over {} node(s), {} placement",
        queryId,
        plan.sql().replaceAll("\\s+", " "),
        members.size(),
        placement);
    ResultAssembler answer = new ResultAssembler(plan, allocator);
    List<QueryNode> keep = List.of();
    // The final merge's hash tables reserve their heap here; a streamed answer merges as it is
    // read, so its budget closes with the answer.
    HeapBudget heap = worker.coordinatorHeap(queryId);
    Spill spill = worker.spill().withHeap(heap);
    boolean heapKept = false;
    try {
      List<PartialReport> partials =
          partialStage(queryId, plan, nodes, memberNodes, cancelled, progress);
      List<QueryNode> holders = new ArrayList<>();
      long partialBytes = 0;
      String schema = plan.layout().partialSchema().toJson();
      for (int m = 0; m < members.size(); m++) {
        PartialReport partial = partials.get(m);
        report.partial(m, partial);
        if (partial.hasDataset()) {
          if (!schema.equals(partial.partialSchema())) {
            throw new QuiverException(
                ErrorCode.INVALID_ARGUMENT,
                "Dataset '"
                    + plan.dataset().name()
                    + "' on peer "
                    + partial.peer()
                    + " has other columns or types than on the coordinator; every node must"
                    + " serve the same schema");
          }
          holders.add(memberNodes.get(m));
          partialBytes += partial.partialBytes();
        }
      }
      boolean gather =
          holders.size() <= 1
              || plan.layout().keys().isEmpty()
              || partialBytes <= settings.gatherThresholdBytes();
      report.strategy(gather ? Strategy.GATHER : Strategy.SHUFFLE);
      boolean streams =
          !answerOnOwners
              && plan.outer() == null
              && plan.order().isEmpty()
              && plan.limit().isEmpty();
      if (streams) {
        if (!gather) {
          shuffleOnly(queryId, holders, report, cancelled);
        }
        progress.accept(1.0);
        CoordinatedResult streamed =
            CoordinatedResult.streamed(
                streamedAnswer(
                    queryId, plan, gather, holders, members, allocator, spill, report, cancelled),
                report,
                () -> {
                  try {
                    calls.releaseEverywhere(queryId, memberNodes);
                  } finally {
                    heap.close();
                  }
                });
        heapKept = true;
        answer.close();
        keep = memberNodes;
        return streamed;
      }
      if (gather) {
        gather(queryId, plan, holders, allocator, spill, answer, report);
      } else if (answerOnOwners
          && plan.outer() == null
          && plan.order().isEmpty()
          && plan.limit().isEmpty()) {
        shuffleOnly(queryId, holders, report, cancelled);
        keep = holders;
        progress.accept(1.0);
        LOG.info("Query {}: answer left on its {} owner(s): {}", queryId, holders.size(), report);
        return CoordinatedResult.assembled(
            answer, report, holders.stream().map(QueryNode::location).toList());
      } else {
        shuffle(queryId, holders, members, allocator, answer, report, cancelled);
      }
      progress.accept(1.0);
      report.rowsReturned(answer.rowCount());
      LOG.info(
          "Query {}: {} row(s) by {}: {}", queryId, answer.rowCount(), report.strategy(), report);
      return CoordinatedResult.assembled(answer, report, List.of());
    } catch (RuntimeException e) {
      answer.close();
      LOG.info("Query {} failed: {}", queryId, e.getMessage());
      throw e;
    } finally {
      if (!heapKept) {
        heap.close();
      }
      List<QueryNode> kept = keep;
      calls.releaseEverywhere(
          queryId, memberNodes.stream().filter(m -> !kept.contains(m)).toList());
    }
  }

  private List<PartialReport> partialStage(
      String queryId,
      AggregatePlan plan,
      QueryNodes nodes,
      List<QueryNode> members,
      BooleanSupplier cancelled,
      DoubleConsumer progress) {
    String encoded = worker.codec().encode(plan);
    return calls.onEvery(
        members,
        node ->
            node.partial(
                new PartialRequest(
                    queryId,
                    plan.dataset().name(),
                    plan.sql(),
                    encoded,
                    nodes.share(members.indexOf(node)))),
        cancelled,
        done -> progress.accept(0.8 * done / members.size()));
  }

  /**
   * The answer as it is read: the final groups of the merge here (a gather) or of each owner in
   * turn (a shuffle), after HAVING, in the output columns; the report is completed as they end.
   */
  private Operator streamedAnswer(
      String queryId,
      AggregatePlan plan,
      boolean gather,
      List<QueryNode> holders,
      List<Location> members,
      BufferAllocator allocator,
      Spill spill,
      QueryReport report,
      BooleanSupplier cancelled) {
    ExecutionContext context =
        new ExecutionContext(
                queryId,
                allocator,
                () -> {
                  if (cancelled.getAsBoolean()) {
                    throw NodeCalls.cancelled(queryId);
                  }
                },
                Integer.MAX_VALUE,
                Long.MAX_VALUE)
            .withSpill(spill);
    Operator groups;
    if (gather) {
      long started = System.nanoTime();
      List<Supplier<Operator>> partials =
          holders.stream().<Supplier<Operator>>map(h -> () -> h.partials(queryId)).toList();
      groups =
          Operator.then(
              Operator.then(
                  new ConcatOperator(plan.layout().partialSchema(), partials),
                  input -> FinalAggregateOperator.of(input, plan.layout(), context)),
              merged ->
                  new Observed(
                      plan.having() == null
                          ? merged
                          : new FilterOperator(merged, plan.having(), context),
                      rows -> report.finalStage(0, rows, millisSince(started))));
    } else {
      List<Supplier<Operator>> owned = new ArrayList<>();
      for (QueryNode owner : holders) {
        owned.add(
            () -> {
              long started = System.nanoTime();
              return new Observed(
                  owner.ownedGroups(queryId),
                  rows ->
                      report.finalStage(
                          members.indexOf(owner.location()), rows, millisSince(started)));
            });
      }
      groups = new ConcatOperator(plan.layout().resultSchema(), owned);
    }
    return Operator.then(
        groups,
        having ->
            new Observed(
                new ProjectOperator(
                    having,
                    plan.outputs().stream().map(Projection::field).toList(),
                    plan.outputs().stream().map(Projection::expression).toList(),
                    context),
                rows -> {
                  report.rowsReturned(rows);
                  LOG.info(
                      "Query {}: {} row(s) streamed by {}: {}",
                      queryId,
                      rows,
                      report.strategy(),
                      report);
                }));
  }

  private static long millisSince(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }

  /** Passes its input's batches on and tells how many rows there were once they end. */
  private static final class Observed implements Operator {
    private final Operator input;
    private final LongConsumer atEnd;
    private long rows;
    private boolean ended;

    Observed(Operator input, LongConsumer atEnd) {
      this.input = input;
      this.atEnd = atEnd;
    }

    @Override
    public Schema schema() {
      return input.schema();
    }

    @Override
    public boolean next() {
      if (input.next()) {
        rows += input.root().getRowCount();
        return true;
      }
      if (!ended) {
        ended = true;
        atEnd.accept(rows);
      }
      return false;
    }

    @Override
    public VectorSchemaRoot root() {
      return input.root();
    }

    @Override
    public ScanStatistics statistics() {
      return input.statistics();
    }

    @Override
    public void close() {
      input.close();
    }
  }

  /** Merges every holder's partial groups here: the gather. */
  private void gather(
      String queryId,
      AggregatePlan plan,
      List<QueryNode> holders,
      BufferAllocator allocator,
      Spill spill,
      ResultAssembler answer,
      QueryReport report) {
    long started = System.nanoTime();
    ExecutionContext context =
        new ExecutionContext(queryId, allocator, () -> {}, Integer.MAX_VALUE, Long.MAX_VALUE)
            .withSpill(spill);
    List<Supplier<Operator>> partials =
        holders.stream().<Supplier<Operator>>map(h -> () -> h.partials(queryId)).toList();
    try (FinalAggregateOperator merge =
        Operator.then(
            new ConcatOperator(plan.layout().partialSchema(), partials),
            input -> FinalAggregateOperator.of(input, plan.layout(), context))) {
      while (merge.next()) {
        answer.add(ResultAssembler.having(plan, Batches.moved(merge.root(), allocator), allocator));
      }
      report.finalStage(0, merge.groupCount(), (System.nanoTime() - started) / 1_000_000);
    } catch (AggregateOverflowException e) {
      throw new QuiverException(ErrorCode.INVALID_ARGUMENT, e.getMessage());
    }
  }

  private void shuffle(
      String queryId,
      List<QueryNode> owners,
      List<Location> members,
      BufferAllocator allocator,
      ResultAssembler answer,
      QueryReport report,
      BooleanSupplier cancelled) {
    shuffleOnly(queryId, owners, report, cancelled);
    collectOwned(queryId, owners, members, allocator, answer, report, cancelled);
  }

  /** Has every holder send each partition of its partial groups to the partition's owner. */
  private void shuffleOnly(
      String queryId, List<QueryNode> owners, QueryReport report, BooleanSupplier cancelled) {
    ShuffleRequest request =
        new ShuffleRequest(
            queryId, owners.stream().map(o -> o.location().getUri().toString()).toList());
    calls
        .onEvery(owners, owner -> owner.shuffle(request), cancelled, done -> {})
        .forEach(report::shuffle);
  }

  /** Reads every owner's final groups into the answer. */
  private void collectOwned(
      String queryId,
      List<QueryNode> owners,
      List<Location> members,
      BufferAllocator allocator,
      ResultAssembler answer,
      QueryReport report,
      BooleanSupplier cancelled) {
    for (QueryNode owner : owners) {
      long started = System.nanoTime();
      long before = answer.groupCount();
      try (Operator owned = owner.ownedGroups(queryId)) {
        while (owned.next()) {
          answer.add(HashPartitioner.copyAll(owned.root(), allocator));
        }
      }
      report.finalStage(
          members.indexOf(owner.location()),
          answer.groupCount() - before,
          (System.nanoTime() - started) / 1_000_000);
      if (cancelled.getAsBoolean()) {
        throw NodeCalls.cancelled(queryId);
      }
    }
  }
}
