package dev.quiver.server.query;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.cluster.Placement;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.query.FragmentProtocol.PartialReport;
import dev.quiver.server.query.FragmentProtocol.PartialRequest;
import dev.quiver.server.query.FragmentProtocol.ShuffleReport;
import dev.quiver.server.query.FragmentProtocol.ShuffleRequest;
import dev.quiver.server.sql.AggregatePlan;
import dev.quiver.server.ticket.FragmentTicket;
import dev.quiver.server.ticket.Tickets;
import dev.quiver.shuffle.aggregate.AggregateOverflowException;
import dev.quiver.shuffle.aggregate.HashAggregator;
import dev.quiver.shuffle.partition.HashPartitioner;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
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
    Placement placement = nodes.placement();
    QueryReport report = new QueryReport(queryId, members);
    LOG.info(
        "Query {}: {} over {} node(s), {} placement",
        queryId,
        plan.sql().replaceAll("\\s+", " "),
        members.size(),
        placement);
    ResultAssembler answer = new ResultAssembler(plan, allocator);
    List<Location> keep = List.of();
    try {
      List<PartialReport> partials = partialStage(queryId, plan, nodes, cancelled, progress);
      List<Location> holders = new ArrayList<>();
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
          holders.add(members.get(m));
          partialBytes += partial.partialBytes();
        }
      }
      boolean gather =
          holders.size() <= 1
              || plan.layout().keys().isEmpty()
              || partialBytes <= settings.gatherThresholdBytes();
      report.strategy(gather ? Strategy.GATHER : Strategy.SHUFFLE);
      if (gather) {
        gather(queryId, plan, holders, allocator, answer, report);
      } else if (answerOnOwners
          && plan.outer() == null
          && plan.order().isEmpty()
          && plan.limit().isEmpty()) {
        shuffleOnly(queryId, holders, report, cancelled);
        keep = holders;
        progress.accept(1.0);
        LOG.info("Query {}: answer left on its {} owner(s): {}", queryId, holders.size(), report);
        return new CoordinatedResult(answer, report, holders);
      } else {
        shuffle(queryId, plan, holders, members, allocator, answer, report, cancelled);
      }
      progress.accept(1.0);
      report.rowsReturned(answer.rowCount());
      LOG.info(
          "Query {}: {} row(s) by {}: {}", queryId, answer.rowCount(), report.strategy(), report);
      return new CoordinatedResult(answer, report, List.of());
    } catch (RuntimeException e) {
      answer.close();
      LOG.info("Query {} failed: {}", queryId, e.getMessage());
      throw e;
    } finally {
      List<Location> kept = keep;
      calls.releaseEverywhere(queryId, members.stream().filter(m -> !kept.contains(m)).toList());
    }
  }

  private List<PartialReport> partialStage(
      String queryId,
      AggregatePlan plan,
      QueryNodes nodes,
      BooleanSupplier cancelled,
      DoubleConsumer progress) {
    List<Location> members = nodes.members();
    String encoded = worker.codec().encode(plan);
    return calls.onEvery(
        members,
        m -> {
          PartialRequest request =
              new PartialRequest(
                  queryId, plan.dataset().name(), plan.sql(), encoded, nodes.share(m));
          Location node = members.get(m);
          return cluster.isSelf(node)
              ? worker.partial(request)
              : PeerCalls.action(
                  cluster,
                  node,
                  FragmentProtocol.PARTIAL,
                  request,
                  PartialReport.class,
                  worker.settings().peerTimeout(),
                  "the scan of query " + queryId);
        },
        cancelled,
        done -> progress.accept(0.8 * done / members.size()));
  }

  private void gather(
      String queryId,
      AggregatePlan plan,
      List<Location> holders,
      BufferAllocator allocator,
      ResultAssembler answer,
      QueryReport report) {
    long started = System.nanoTime();
    try (HashAggregator merge = new HashAggregator(plan.layout(), allocator)) {
      for (Location holder : holders) {
        if (cluster.isSelf(holder)) {
          try (VectorSchemaRoot partial = worker.takePartial(queryId)) {
            merge.addPartial(partial);
          }
        } else {
          readStream(
              holder, new FragmentTicket(queryId, FragmentTicket.PARTIAL), merge::addPartial);
        }
      }
      VectorSchemaRoot result = merge.takeResult();
      answer.add(ResultAssembler.having(plan, result, allocator));
      report.finalStage(0, merge.groupCount(), (System.nanoTime() - started) / 1_000_000);
    } catch (AggregateOverflowException e) {
      throw new QuiverException(ErrorCode.INVALID_ARGUMENT, e.getMessage());
    }
  }

  private void shuffle(
      String queryId,
      AggregatePlan plan,
      List<Location> owners,
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
      String queryId, List<Location> owners, QueryReport report, BooleanSupplier cancelled) {
    List<String> ownerAddresses = owners.stream().map(o -> o.getUri().toString()).toList();
    ShuffleRequest request = new ShuffleRequest(queryId, ownerAddresses);
    List<ShuffleReport> shuffles =
        calls.onEvery(
            owners,
            o ->
                cluster.isSelf(owners.get(o))
                    ? worker.shuffle(request)
                    : PeerCalls.action(
                        cluster,
                        owners.get(o),
                        FragmentProtocol.SHUFFLE,
                        request,
                        ShuffleReport.class,
                        worker.settings().peerTimeout(),
                        "the shuffle of query " + queryId),
            cancelled,
            done -> {});
    shuffles.forEach(report::shuffle);
  }

  /** Reads every owner's final groups into the answer. */
  private void collectOwned(
      String queryId,
      List<Location> owners,
      List<Location> members,
      BufferAllocator allocator,
      ResultAssembler answer,
      QueryReport report,
      BooleanSupplier cancelled) {
    for (int o = 0; o < owners.size(); o++) {
      long started = System.nanoTime();
      Location owner = owners.get(o);
      long before = answer.groupCount();
      if (cluster.isSelf(owner)) {
        try (VectorSchemaRoot owned = worker.takeOwnedResult(queryId)) {
          answer.add(HashPartitioner.copyAll(owned, allocator));
        }
      } else {
        readStream(
            owner,
            new FragmentTicket(queryId, FragmentTicket.FINAL),
            batch -> answer.add(HashPartitioner.copyAll(batch, allocator)));
      }
      report.finalStage(
          members.indexOf(owner),
          answer.groupCount() - before,
          (System.nanoTime() - started) / 1_000_000);
      if (cancelled.getAsBoolean()) {
        throw NodeCalls.cancelled(queryId);
      }
    }
  }

  private void readStream(
      Location node, FragmentTicket ticket, Consumer<VectorSchemaRoot> batches) {
    try (FlightStream stream =
        cluster
            .client(node)
            .getStream(
                Tickets.encode(ticket), PeerCalls.timeout(worker.settings().peerTimeout()))) {
      while (stream.next()) {
        batches.accept(stream.getRoot());
      }
    } catch (FlightRuntimeException e) {
      throw PeerCalls.failure(
          node, e, "reading the " + ticket.stage() + " result of query " + ticket.fragment());
    } catch (QuiverException e) {
      throw e;
    } catch (Exception e) {
      throw new QuiverException(
          ErrorCode.INTERNAL, "Reading from peer " + node.getUri() + " failed: " + e);
    }
  }
}
