package dev.quiver.server.query;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.scan.FileSplit;
import dev.quiver.parquet.scan.ScanStatistics;
import dev.quiver.server.catalog.Catalog;
import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.exec.Batches;
import dev.quiver.server.exec.Operator;
import dev.quiver.server.exec.RangePartitioner;
import dev.quiver.server.exec.SortKey;
import dev.quiver.server.exec.SpillingSorter;
import dev.quiver.server.query.FragmentProtocol.RangeShuffleRequest;
import dev.quiver.server.query.FragmentProtocol.ShuffleReport;
import dev.quiver.server.query.FragmentProtocol.SortScanReport;
import dev.quiver.server.query.FragmentProtocol.SortScanRequest;
import dev.quiver.server.sql.Pipelines;
import dev.quiver.server.sql.PlanCodec;
import dev.quiver.server.sql.Query;
import dev.quiver.server.sql.QueryPlan;
import dev.quiver.shuffle.exchange.ExchangeSink;
import dev.quiver.shuffle.exchange.ExchangeTarget;
import dev.quiver.shuffle.spill.BatchSource;
import dev.quiver.shuffle.spill.BatchStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part of a distributed sort ({@link DistributedSort}): scan its part (filter, compute
 * the columns) keeping the rows and sampling their sort keys; send each kept row to the owner of
 * its range of sort keys; sort the rows of the range it owns and stream them to the client.
 */
final class SortStages {
  private static final Logger LOG = LoggerFactory.getLogger(SortStages.class);

  private final FragmentWorker worker;
  private final Catalog catalog;
  private final PlanCodec codec;
  private final Cluster cluster;
  private final Fragments fragments;

  SortStages(
      FragmentWorker worker,
      Catalog catalog,
      PlanCodec codec,
      Cluster cluster,
      Fragments fragments) {
    this.worker = requireNonNull(worker, "worker is null");
    this.catalog = requireNonNull(catalog, "catalog is null");
    this.codec = requireNonNull(codec, "codec is null");
    this.cluster = requireNonNull(cluster, "cluster is null");
    this.fragments = requireNonNull(fragments, "fragments is null");
  }

  /**
   * Scans this node's part of a sorted query into its fragment and samples the sort keys of what it
   * kept. A node that does not serve the dataset reports so and holds nothing.
   */
  SortScanReport scan(SortScanRequest request) {
    String self = cluster.self().getUri().toString();
    if (catalog.find(request.dataset()).isEmpty()) {
      return new SortScanReport(self, false, 0, 0, Map.of(), null);
    }
    long started = System.nanoTime();
    Query query = codec.decode(request.plan());
    if (!(query instanceof QueryPlan plan) || plan.order().isEmpty()) {
      throw new QuiverException(ErrorCode.INVALID_ARGUMENT, "Not a sorted scan: " + request.sql());
    }
    Fragment fragment = fragments.create(request.queryId(), plan);
    fragment.enter();
    try {
      List<FileSplit> splits = worker.splits(plan, request.splits());
      long rows = 0;
      ScanStatistics statistics;
      String sample;
      try (Operator input = Pipelines.rows(plan, splits, worker.context(fragment));
          Reservoir reservoir =
              new Reservoir(plan, request.sampleRows(), fragment.queryId(), fragment.allocator())) {
        while (input.next()) {
          fragment.checkNotCancelled();
          rows += input.root().getRowCount();
          reservoir.add(input.root());
          fragment.keep(Batches.moved(input.root(), fragment.allocator()));
        }
        statistics = input.statistics();
        sample = rows == 0 ? null : reservoir.encode();
      }
      worker.scanned(statistics);
      long millis = (System.nanoTime() - started) / 1_000_000;
      LOG.info("Query {}: kept {} rows to sort in {} ms", request.queryId(), rows, millis);
      return new SortScanReport(
          self, true, rows, millis, FragmentProtocol.counters(statistics), sample);
    } catch (RuntimeException e) {
      fragments.release(request.queryId());
      throw worker.stageFailure(request.queryId(), e);
    } finally {
      fragment.exit();
    }
  }

  /**
   * A uniform random sample of the sort keys of every row scanned (a reservoir: row i replaces a
   * random kept one with probability size / i), taken as the rows pass, so that the kept rows,
   * which may be on disk, need no second reading. Random rows rather than evenly spaced ones: data
   * laid out periodically (every 1,000th row NULL, say) would bias the boundaries.
   */
  private static final class Reservoir implements AutoCloseable {
    private final List<SortKey> keys;
    private final int size;
    private final Random random;
    private final VectorSchemaRoot sample;
    private long seen;

    Reservoir(QueryPlan plan, int size, String seed, BufferAllocator allocator) {
      this.keys = plan.order();
      this.size = size;
      this.random = new Random(seed.hashCode());
      List<Field> fields = new ArrayList<>();
      for (SortKey key : keys) {
        fields.add(plan.projections().get(key.column()).field());
      }
      this.sample = VectorSchemaRoot.create(new Schema(fields), allocator);
    }

    void add(VectorSchemaRoot batch) {
      for (int row = 0; row < batch.getRowCount(); row++, seen++) {
        int slot;
        if (seen < size) {
          slot = (int) seen;
        } else {
          long chosen = (long) (random.nextDouble() * (seen + 1));
          if (chosen >= size) {
            continue;
          }
          slot = (int) chosen;
        }
        for (int k = 0; k < keys.size(); k++) {
          sample.getVector(k).copyFromSafe(row, slot, batch.getVector(keys.get(k).column()));
        }
      }
    }

    /** The sample as Arrow IPC. */
    String encode() {
      int rows = (int) Math.min(seen, size);
      for (FieldVector vector : sample.getFieldVectors()) {
        vector.setValueCount(rows);
      }
      sample.setRowCount(rows);
      return ArrowBytes.encode(sample);
    }

    @Override
    public void close() {
      sample.close();
    }
  }

  /**
   * Sends every kept row to the owner of its range through the exchange, one stream per owner (this
   * node's own range is added directly).
   */
  ShuffleReport shuffle(RangeShuffleRequest request) {
    long started = System.nanoTime();
    Fragment fragment = fragments.require(request.queryId());
    fragment.enter();
    List<Location> owners = Cluster.parse(request.owners());
    ExchangeSink.Sent sent = ExchangeSink.Sent.none(owners.size());
    BatchStore kept = fragment.takeKept();
    try (VectorSchemaRoot boundaries =
            ArrowBytes.decode(request.boundaries(), fragment.allocator());
        BatchSource batches = kept == null ? null : kept.take()) {
      RangePartitioner partitioner =
          new RangePartitioner(fragment.sortedQuery().order(), boundaries);
      if (owners.size() != partitioner.ranges()) {
        throw new QuiverException(
            ErrorCode.INVALID_ARGUMENT,
            owners.size() + " owners for " + partitioner.ranges() + " ranges");
      }
      List<ExchangeTarget> targets = worker.targets(fragment, owners, "range");
      for (VectorSchemaRoot batch = batches == null ? null : batches.next();
          batch != null;
          batch = batches.next()) {
        try {
          sent = sent.plus(ExchangeSink.send(List.of(batch), partitioner::assign, targets));
        } finally {
          batch.close();
        }
      }
    } catch (RuntimeException e) {
      throw worker.stageFailure(request.queryId(), e);
    } finally {
      if (kept != null) {
        kept.close();
      }
      fragment.exit();
    }
    return worker.shuffleReport(request.queryId(), owners, sent, List.of(), started);
  }

  /**
   * Sorts the rows of the range this node owns and streams them, in the query's result columns,
   * with backpressure; the query's state here is freed afterwards.
   */
  void streamRange(String queryId, ServerStreamListener listener) {
    Fragment fragment = fragments.require(queryId);
    fragment.enter();
    try {
      QueryPlan plan = fragment.sortedQuery();
      SpillingSorter range = fragment.range();
      if (range == null) {
        // No row fell in this node's range.
        try (VectorSchemaRoot out = VectorSchemaRoot.create(plan.schema(), fragment.allocator())) {
          listener.start(out);
          listener.completed();
        }
        return;
      }
      int[] visible = new int[plan.outputCount()];
      for (int c = 0; c < visible.length; c++) {
        visible[c] = c;
      }
      try (Operator rows = range.sorted(plan.schema(), visible)) {
        worker.send(fragment, rows, listener);
      }
    } catch (RuntimeException e) {
      throw worker.stageFailure(queryId, e);
    } finally {
      fragment.exit();
      fragments.release(queryId);
    }
  }
}
