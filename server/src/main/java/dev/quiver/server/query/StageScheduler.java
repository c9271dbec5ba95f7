package dev.quiver.server.query;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.exec.ConcatOperator;
import dev.quiver.server.exec.ExecutionContext;
import dev.quiver.server.exec.ForwardingOperator;
import dev.quiver.server.exec.Operator;
import dev.quiver.server.exec.OperatorCounters;
import dev.quiver.server.exec.SortKey;
import dev.quiver.server.exec.Sorter;
import dev.quiver.server.exec.Spill;
import dev.quiver.server.physical.Aggregate;
import dev.quiver.server.physical.Distribution;
import dev.quiver.server.physical.Exchange;
import dev.quiver.server.physical.Filter;
import dev.quiver.server.physical.OperatorPositions;
import dev.quiver.server.physical.PhysicalPlan;
import dev.quiver.server.physical.PhysicalPlanner;
import dev.quiver.server.physical.PlanPrinter;
import dev.quiver.server.physical.Project;
import dev.quiver.server.physical.RemoteSource;
import dev.quiver.server.physical.Scan;
import dev.quiver.server.physical.Sort;
import dev.quiver.server.physical.Stage;
import dev.quiver.server.physical.StagePlanner;
import dev.quiver.server.physical.Task;
import dev.quiver.server.query.FragmentProtocol.OutputKind;
import dev.quiver.server.query.FragmentProtocol.TaskOutput;
import dev.quiver.server.query.FragmentProtocol.TaskReport;
import dev.quiver.server.query.FragmentProtocol.TaskRequest;
import dev.quiver.server.sql.Query;
import dev.quiver.server.sql.QueryPlan;
import dev.quiver.server.sql.StagePipelines;
import dev.quiver.server.sql.StagePipelines.Metering;
import dev.quiver.server.ticket.StageTicket;
import dev.quiver.server.ticket.Tickets;
import dev.quiver.shuffle.memory.HeapBudget;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleConsumer;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a query's stages across the cluster from the node that received it, from the stage plan
 * alone: the query's physical plan ({@link PhysicalPlanner}) cut at its exchanges ({@link
 * StagePlanner}). Every node runs what it is sent through one call ({@link QueryNode#run}) and
 * hands out what it holds through one ticket ({@link QueryNode#output}); nothing here knows an
 * aggregation from a sort.
 *
 * <ol>
 *   <li>A stage that scans runs on every node of the query, each task keeping its output (and, when
 *       a range repartition follows, a sample of its sort keys).
 *   <li>Its output exchange is then settled by what the tasks reported: a hash repartition whose
 *       input turned out small ({@link Exchange#gatherBelowBytes()}) becomes a gather. A gathered
 *       stage is read by the stage after it, here. A repartitioned or broadcast one is sent on: the
 *       reading stage's tasks are opened on the nodes that hold data (task {@code p} on the {@code
 *       p}th), then each node splits what it kept among them through the exchange. A stage that
 *       reads hash repartitions and sends its own output on (a partitioned join, a window over a
 *       window by other keys) gets its rows in inboxes on every node, runs there when they have all
 *       arrived, and keeps its output, which is settled like a scan's.
 *   <li>The last stage runs here over what it reads, as the answer is read, unless a client reads
 *       the answer from the nodes: then, when the last stage only computes columns, it runs as part
 *       of each opened task, and each is an endpoint ({@link CoordinatedResult#endpoints()}).
 * </ol>
 *
 * Whatever happens, every node's part of the query is released when the answer is closed (or, for
 * an answer read from the nodes, when each node's share has been read or expires).
 */
public final class StageScheduler {
  private static final Logger LOG = LoggerFactory.getLogger(StageScheduler.class);

  /** Rows of sort keys each task samples before a range repartition. */
  static final int SAMPLE_ROWS = 1000;

  private final FragmentWorker worker;
  private final Cluster cluster;
  private final Settings settings;
  private final NodeCalls calls;
  private final BufferAllocator root;

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

  /** How the output of the stage that scans reached the stage after it. */
  public enum Strategy {
    GATHER,
    SHUFFLE
  }

  /**
   * @param executor runs the calls to the nodes in parallel
   * @param root the process's root allocator; range boundaries are chosen in a child of it
   */
  public StageScheduler(
      FragmentWorker worker,
      Cluster cluster,
      ExecutorService executor,
      Settings settings,
      BufferAllocator root) {
    this.worker = requireNonNull(worker, "worker is null");
    this.cluster = requireNonNull(cluster, "cluster is null");
    this.settings = requireNonNull(settings, "settings is null");
    this.root = requireNonNull(root, "root is null");
    this.calls = new NodeCalls(cluster, worker, executor);
  }

  /**
   * Runs {@code query} as query {@code queryId}; its answer is computed here as it is read.
   *
   * @param allocator the query's allocator on this node; the answer lives in it
   * @param cancelled polled while waiting; true stops the query with CANCELLED
   * @return the answer and what each node did; the caller closes it
   */
  public CoordinatedResult run(
      String queryId, Query query, BufferAllocator allocator, BooleanSupplier cancelled) {
    return run(queryId, query, allocator, cancelled, progress -> {}, false);
  }

  /**
   * Runs {@code query} as query {@code queryId}, reporting progress from 0 to 1: 0.8 once every
   * node has run the stage that scans (in proportion as they finish), 1 when the rest is scheduled.
   *
   * @param answerOnOwners leave the answer on the nodes that hold its parts, for the client to read
   *     from there, where the plan allows it (the answer's rows need no gathering: no ORDER BY,
   *     LIMIT or DISTINCT aggregate, and the groups were repartitioned)
   */
  public CoordinatedResult run(
      String queryId,
      Query query,
      BufferAllocator allocator,
      BooleanSupplier cancelled,
      DoubleConsumer progress,
      boolean answerOnOwners) {
    Run run = new Run(queryId, query, cancelled, progress);
    HeapBudget heap = worker.coordinatorHeap(queryId);
    boolean handedOver = false;
    try {
      run.schedule(answerOnOwners);
      progress.accept(1.0);
      if (answerOnOwners && run.answeredOnNodes()) {
        LOG.info("Query {}: answer left on its node(s): {}", queryId, run.report);
        CoordinatedResult left =
            CoordinatedResult.onNodes(run.endpoints(), run.report, () -> run.releaseRest(), heap);
        handedOver = true;
        return left;
      }
      Operator answer = run.answer(allocator, worker.spill().withHeap(heap));
      CoordinatedResult streamed =
          CoordinatedResult.streamed(answer, run.report, run::releaseAll, heap);
      handedOver = true;
      return streamed;
    } catch (RuntimeException e) {
      LOG.info("Query {} failed: {}", queryId, e.getMessage());
      throw e;
    } finally {
      if (!handedOver) {
        try {
          run.releaseAll();
        } finally {
          heap.close();
        }
      }
    }
  }

  /**
   * Sorts {@code plan}'s rows across the cluster as query {@code queryId}: the scans, a range
   * repartition by samples of the sort keys, and each range sorted where it lands when it is read.
   *
   * @return one endpoint per range, in order, each on the node that holds the range
   */
  public List<FlightEndpoint> sorted(String queryId, QueryPlan plan) {
    Run run = new Run(queryId, plan, () -> false, progress -> {});
    boolean done = false;
    try {
      run.schedule(true);
      if (!run.answeredOnNodes()) {
        throw new IllegalStateException("A distributed sort's ranges are read from their nodes");
      }
      run.releaseRest();
      done = true;
      return run.endpoints();
    } finally {
      if (!done) {
        run.releaseAll();
      }
    }
  }

  /**
   * {@code EXPLAIN ANALYZE}: runs {@code query} as query {@code queryId}, reading and dropping its
   * answer here, and prints the stages that ran, each operator followed by what it did: rows,
   * batches and time (its own, its inputs' taken out, summed over the threads that ran it), in all
   * and per node.
   *
   * @param allocator the query's allocator on this node
   * @param cancelled polled while waiting; true stops the query with CANCELLED
   */
  public List<String> analyze(
      String queryId, Query query, BufferAllocator allocator, BooleanSupplier cancelled) {
    long started = System.nanoTime();
    Run run = new Run(queryId, query, cancelled, progress -> {});
    HeapBudget heap = worker.coordinatorHeap(queryId);
    try {
      run.schedule(false);
      long rows = 0;
      try (Operator answer = run.answer(allocator, worker.spill().withHeap(heap))) {
        while (answer.next()) {
          rows += answer.root().getRowCount();
        }
      }
      return run.analysis(rows, millisSince(started));
    } finally {
      try {
        run.releaseAll();
      } finally {
        heap.close();
      }
    }
  }

  /** Where a stage's output is read from. */
  private sealed interface Output {}

  /** Built here, inside the pipeline of the stage that reads it. */
  private record Here(Stage stage) implements Output {}

  /** The tasks that hold it, task {@code t} on {@code nodes.get(t)}. */
  private record Held(List<QueryNode> nodes, List<Integer> tasks) implements Output {}

  /** One query's stages as they are scheduled. */
  private final class Run {
    private final String queryId;
    private final Query query;
    private final BooleanSupplier cancelled;
    private final DoubleConsumer progress;
    private final QueryNodes nodes;
    private final List<Location> members;
    private final List<QueryNode> memberNodes;
    private final List<Stage> stages;
    private final QueryReport report;
    private final Map<Integer, Output> outputs = new HashMap<>();
    private Stage last;
    private Held answerTasks;
    private int answerStage;
    private final Map<Integer, Map<String, List<OperatorCounters>>> counters = new HashMap<>();

    /**
     * Stages whose inputs were all sent into inboxes on every node, run there when their turn
     * comes.
     */
    private final Set<Integer> fed = new HashSet<>();

    Run(String queryId, Query query, BooleanSupplier cancelled, DoubleConsumer progress) {
      this.queryId = queryId;
      this.query = query;
      this.cancelled = cancelled;
      this.progress = progress;
      QueryNodes placed = QueryNodes.of(queryId, query, cluster, settings.sharedDatasets());
      this.members = placed.members();
      this.memberNodes = calls.nodes(members);
      PhysicalPlan plan =
          new PhysicalPlanner(members.size(), settings.gatherThresholdBytes()).lower(query);
      this.nodes = placed.withShares(plan, query.sql(), settings.splitBytes());
      List<Stage> cut = new StagePlanner(nodes, cluster.self()).cut(plan);
      if (cut.size() == 1) {
        // One node: its scan threads' output is gathered here, where the rest of the plan runs.
        cut = new StagePlanner(nodes, cluster.self()).cut(gatherScans(plan));
      }
      this.stages = cut;
      this.report = new QueryReport(queryId, members);
      LOG.info(
          "Query {}: {} over {} node(s), {} placement, {} stages",
          queryId,
          query.sql().replaceAll("\\s+", " "),
          members.size(),
          nodes.placement(),
          stages.size());
    }

    /** Runs every stage but the last, and settles how each is read. */
    void schedule(boolean answerOnNodes) {
      last = stages.get(stages.size() - 1);
      for (Stage stage : stages) {
        if (stage == last) {
          break;
        }
        if (!outputs.containsKey(stage.id())) {
          if (fed.contains(stage.id()) && Scan.of(stage.plan()) == null) {
            outputs.put(stage.id(), runFed(stage));
          } else if (Scan.of(stage.plan()) == null) {
            // Read by its own reader here: a stage after a gather.
            outputs.put(stage.id(), new Here(stage));
          } else {
            outputs.put(stage.id(), scan(stage));
          }
        }
        settle(stage, answerOnNodes);
      }
    }

    /**
     * Runs a stage that reads what its inputs sent into this query's inboxes on every node (a
     * partitioned join, or a stage that reads a hash repartition and sends its output on: task
     * {@code p} on member {@code p}), each task keeping its output (and, when a range repartition
     * follows, a sample of its sort keys).
     */
    private Held runFed(Stage stage) {
      String plan = worker.codec().encode(stage.plan());
      TaskOutput output =
          stage.output().target().kind() == Distribution.Kind.RANGE
              ? TaskOutput.keep(rangeKeys(readerOf(stage)), SAMPLE_ROWS)
              : TaskOutput.keep();
      List<TaskReport> reports =
          calls.onEvery(
              memberNodes,
              node ->
                  node.run(
                      new TaskRequest(
                          queryId,
                          stage.id(),
                          memberNodes.indexOf(node),
                          query.sql(),
                          null,
                          plan,
                          null,
                          false,
                          output)),
              cancelled,
              done -> {});
      List<Integer> tasks = new ArrayList<>();
      for (int m = 0; m < memberNodes.size(); m++) {
        record(stage.id(), reports.get(m).peer(), reports.get(m).operators());
        tasks.add(m);
      }
      lastScan = reports;
      return new Held(memberNodes, tasks);
    }

    /** Runs a stage that scans on every node, each task keeping its output. */
    private Held scan(Stage stage) {
      String plan = worker.codec().encode(stage.plan());
      Dataset scanned = Scan.of(stage.plan()).dataset();
      Stage reader = readerOf(stage);
      TaskOutput output =
          stage.output().target().kind() == Distribution.Kind.RANGE
              ? TaskOutput.keep(rangeKeys(reader), SAMPLE_ROWS)
              : TaskOutput.keep();
      List<TaskReport> reports =
          calls.onEvery(
              memberNodes,
              node -> {
                int m = memberNodes.indexOf(node);
                Task task = stage.tasks().get(m);
                return node.run(
                    new TaskRequest(
                        queryId,
                        stage.id(),
                        m,
                        query.sql(),
                        scanned.name(),
                        plan,
                        task.splits(),
                        false,
                        output));
              },
              cancelled,
              done -> progress.accept(0.8 * done / memberNodes.size()));
      String schema = stage.plan().schema().toJson();
      List<QueryNode> holders = new ArrayList<>();
      List<Integer> tasks = new ArrayList<>();
      for (int m = 0; m < members.size(); m++) {
        TaskReport task = reports.get(m);
        report.scanned(m, task);
        if (!task.hasDataset()) {
          continue;
        }
        record(stage.id(), task.peer(), task.operators());
        if (!schema.equals(task.schema())) {
          throw new QuiverException(
              ErrorCode.INVALID_ARGUMENT,
              "Dataset '"
                  + scanned.name()
                  + "' on peer "
                  + task.peer()
                  + " has other columns or types than on the coordinator; every node must"
                  + " serve the same schema");
        }
        holders.add(memberNodes.get(m));
        tasks.add(m);
      }
      lastScan = reports;
      return new Held(holders, tasks);
    }

    private List<TaskReport> lastScan = List.of();

    /**
     * Settles how {@code stage}'s output reaches its reader: read here (a gather), or sent to the
     * reader's tasks, opened now on the nodes that hold the output.
     */
    private void settle(Stage stage, boolean answerOnNodes) {
      Exchange exchange = stage.output();
      Stage reader = readerOf(stage);
      Output output = outputs.get(stage.id());
      Distribution.Kind kind = exchange.target().kind();
      if (kind == Distribution.Kind.SINGLE || !(output instanceof Held held)) {
        if (kind == Distribution.Kind.SINGLE
            && output instanceof Held
            && report.strategy() == null) {
          report.strategy(Strategy.GATHER);
        }
        if (kind != Distribution.Kind.SINGLE) {
          throw new QuiverException(
              ErrorCode.UNIMPLEMENTED,
              "Stage " + stage.id() + " is read where it is built; it cannot be repartitioned");
        }
        return;
      }
      if (kind == Distribution.Kind.HASH && (reader.inputs().size() > 1 || sendsOn(reader))) {
        // One input of a partitioned join, or the input of a stage whose own output is sent on
        // again: every node gets an inbox for this stage's rows (task p of this stage's id on
        // member p) and its share of them; the reader runs when all its inputs have arrived
        // (schedule) and keeps its output, which is then sent on like a scan's. (Opened to be read
        // later instead, it would compute its rows only when read, never when sent on.)
        report.strategy(Strategy.SHUFFLE);
        PhysicalPlan received =
            new RemoteSource(stage.id(), stage.plan().schema(), exchange.target());
        open(stage.id(), received, memberNodes);
        send(stage, held, exchange, stage.id(), memberNodes, null);
        fed.add(reader.id());
        return;
      }
      if (kind == Distribution.Kind.HASH && gathers(exchange, held)) {
        report.strategy(Strategy.GATHER);
        return;
      }
      if (kind == Distribution.Kind.HASH) {
        report.strategy(Strategy.SHUFFLE);
      }
      if (kind == Distribution.Kind.REPLICATED && Scan.of(reader.plan()) != null) {
        // Broadcast to a stage that also scans: every node gets an inbox for this stage's rows
        // (task m of this stage's id on member m), receives all of them, and its task of the
        // reading stage takes them when it runs its scan (schedule).
        PhysicalPlan received =
            new RemoteSource(stage.id(), stage.plan().schema(), exchange.target());
        open(stage.id(), received, memberNodes);
        send(stage, held, exchange, stage.id(), memberNodes, null);
        return;
      }
      if (sendsOn(reader)) {
        throw new QuiverException(
            ErrorCode.UNIMPLEMENTED,
            "Stage "
                + reader.id()
                + " reads a "
                + exchange.kindName()
                + " and sends its output on by "
                + reader.output().kindName()
                + "; only a stage that reads hash repartitions can");
      }
      List<QueryNode> consumers = held.nodes();
      String boundaries = null;
      if (kind == Distribution.Kind.RANGE) {
        Boundaries cut = boundaries(rangeKeys(reader), consumers.size());
        boundaries = cut.encoded();
        consumers = consumers.subList(0, Math.min(consumers.size(), cut.ranges()));
      }
      PhysicalPlan readerPlan = reader.plan();
      boolean fused = answerOnNodes && (reader == last || fusable(last.plan(), reader.id()));
      if (fused && reader != last) {
        readerPlan = substitute(last.plan(), reader.id(), reader.plan());
      }
      open(reader, readerPlan, consumers);
      if (kind != Distribution.Kind.RANGE || boundaries != null) {
        send(stage, held, exchange, reader, consumers, boundaries);
      }
      List<Integer> readerTasks = new ArrayList<>();
      for (int p = 0; p < consumers.size(); p++) {
        readerTasks.add(p);
      }
      Held opened = new Held(consumers, readerTasks);
      outputs.put(reader.id(), opened);
      if (fused) {
        answerTasks = opened;
        answerStage = reader.id();
      }
    }

    /** Whether a hash repartition turns into a gather, by what the tasks kept. */
    private boolean gathers(Exchange exchange, Held held) {
      if (held.nodes().size() <= 1) {
        return true;
      }
      if (exchange.gatherBelowBytes().isEmpty()) {
        return false;
      }
      long bytes = lastScan.stream().mapToLong(TaskReport::bytes).sum();
      return bytes <= exchange.gatherBelowBytes().getAsLong();
    }

    /** Opens the reader's tasks, task {@code p} on {@code consumers.get(p)}. */
    private void open(Stage reader, PhysicalPlan plan, List<QueryNode> consumers) {
      open(reader.id(), plan, consumers);
    }

    /** Opens tasks of stage id {@code stage}, task {@code p} on {@code consumers.get(p)}. */
    private void open(int stage, PhysicalPlan plan, List<QueryNode> consumers) {
      String encoded = worker.codec().encode(plan);
      calls.onEvery(
          consumers,
          node ->
              node.run(
                  new TaskRequest(
                      queryId,
                      stage,
                      consumers.indexOf(node),
                      query.sql(),
                      null,
                      encoded,
                      null,
                      true,
                      TaskOutput.keep())),
          cancelled,
          done -> {});
    }

    /** Has every node that kept part of {@code stage}'s output split it among the consumers. */
    private void send(
        Stage stage,
        Held held,
        Exchange exchange,
        Stage reader,
        List<QueryNode> consumers,
        String boundaries) {
      send(
          stage,
          held,
          exchange,
          reader.id(),
          consumers,
          boundaries,
          exchange.target().kind() == Distribution.Kind.RANGE ? rangeKeys(reader) : List.of());
    }

    /**
     * Has every node that kept part of {@code stage}'s output split it among the consumer tasks of
     * stage id {@code consumerStage}.
     */
    private void send(
        Stage stage,
        Held held,
        Exchange exchange,
        int consumerStage,
        List<QueryNode> consumers,
        String boundaries) {
      send(stage, held, exchange, consumerStage, consumers, boundaries, List.of());
    }

    private void send(
        Stage stage,
        Held held,
        Exchange exchange,
        int consumerStage,
        List<QueryNode> consumers,
        String boundaries,
        List<SortKey> order) {
      OutputKind kind =
          switch (exchange.target().kind()) {
            case HASH -> OutputKind.HASH;
            case RANGE -> OutputKind.RANGE;
            case REPLICATED -> OutputKind.BROADCAST;
            default -> throw new IllegalStateException("Not sent on: " + exchange.target());
          };
      TaskOutput output =
          new TaskOutput(
              kind,
              exchange.target().keys(),
              kind == OutputKind.RANGE ? order : List.of(),
              boundaries,
              consumers.stream().map(c -> c.location().getUri().toString()).toList(),
              consumerStage,
              0);
      String plan =
          worker
              .codec()
              .encode(new RemoteSource(stage.id(), stage.plan().schema(), exchange.target()));
      calls
          .onEvery(
              held.nodes(),
              node ->
                  node.run(
                      new TaskRequest(
                          queryId,
                          stage.id(),
                          held.tasks().get(held.nodes().indexOf(node)),
                          query.sql(),
                          null,
                          plan,
                          null,
                          false,
                          output)),
              cancelled,
              done -> {})
          .forEach(sent -> report.shuffle(sent.sent()));
    }

    /**
     * Whether {@code stage}'s output is sent on to the tasks of a later stage (hash, range or
     * broadcast) rather than read where it is held or gathered.
     */
    private boolean sendsOn(Stage stage) {
      return stage != last && stage.output().target().kind() != Distribution.Kind.SINGLE;
    }

    /** The stage that reads {@code stage}'s output. */
    private Stage readerOf(Stage stage) {
      for (Stage candidate : stages) {
        if (candidate.inputs().contains(stage.id())) {
          return candidate;
        }
      }
      throw new IllegalStateException("No stage reads stage " + stage.id());
    }

    boolean answeredOnNodes() {
      return answerTasks != null;
    }

    /** One endpoint per task that holds a share of the answer, in task order. */
    List<FlightEndpoint> endpoints() {
      List<FlightEndpoint> endpoints = new ArrayList<>();
      int stage = answerStage;
      for (int t = 0; t < answerTasks.nodes().size(); t++) {
        endpoints.add(
            new FlightEndpoint(
                Tickets.encode(StageTicket.answer(queryId, stage, answerTasks.tasks().get(t))),
                answerTasks.nodes().get(t).location()));
      }
      return endpoints;
    }

    /** The last stage, run here over what it reads as the answer is read. */
    Operator answer(BufferAllocator allocator, Spill spill) {
      ExecutionContext context =
          new ExecutionContext(
                  queryId,
                  allocator,
                  () -> {
                    if (cancelled.getAsBoolean()) {
                      throw NodeCalls.cancelled(queryId);
                    }
                  },
                  worker.settings().batch().maxBatchRows(),
                  worker.settings().batch().targetBatchBytes())
              .withSpill(spill);
      // A last stage that reads a repartitioned one runs in the tasks opened for it, read in order.
      Operator answer =
          outputs.containsKey(last.id()) ? read(last.id(), context) : build(last, context);
      return new Observed(
          answer,
          rows -> {
            report.rowsReturned(rows);
            report.operators(operatorCounters());
            LOG.info("Query {}: {} row(s) by {}: {}", queryId, rows, report.strategy(), report);
          });
    }

    private Operator build(Stage stage, ExecutionContext context) {
      Metering metering = Metering.of(stage.plan());
      Operator rows =
          StagePipelines.build(
              stage.plan(),
              Collections.emptyIterator(),
              input -> read(input, context),
              node -> null,
              context,
              metering);
      String self = cluster.self().getUri().toString();
      return new Observed(rows, count -> record(stage.id(), self, metering.metrics().snapshot()));
    }

    /** Adds what the operators of a task of {@code stage} on {@code node} did. */
    private synchronized void record(int stage, String node, List<OperatorCounters> operators) {
      counters
          .computeIfAbsent(stage, s -> new TreeMap<>())
          .merge(node, operators, OperatorCounters::sum);
    }

    /**
     * What each operator did on all nodes, stage by stage in the order they ran, each stage's
     * operators from its output down: the query report's {@code operators}.
     */
    synchronized List<Map<String, Object>> operatorCounters() {
      Map<PhysicalPlan, String> names = PlanPrinter.descriptions(stages);
      List<Map<String, Object>> rows = new ArrayList<>();
      for (Stage stage : stages) {
        Map<String, List<OperatorCounters>> byNode = counters.get(stage.id());
        if (byNode == null) {
          continue;
        }
        Map<PhysicalPlan, Integer> positions = OperatorPositions.of(stage.plan());
        addOperators(stage, stage.plan(), 0, byNode, positions, names, rows);
      }
      return rows;
    }

    private void addOperators(
        Stage stage,
        PhysicalPlan operator,
        int depth,
        Map<String, List<OperatorCounters>> byNode,
        Map<PhysicalPlan, Integer> positions,
        Map<PhysicalPlan, String> names,
        List<Map<String, Object>> rows) {
      OperatorCounters total = OperatorCounters.NONE;
      for (List<OperatorCounters> task : byNode.values()) {
        total = total.plus(own(task, operator, positions));
      }
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("stage", stage.id());
      row.put("depth", depth);
      row.put("operator", names.get(operator));
      row.put("rows", total.rows());
      row.put("batches", total.batches());
      row.put("millis", total.nanos() / 1_000_000);
      rows.add(row);
      for (PhysicalPlan child : operator.children()) {
        addOperators(stage, child, depth + 1, byNode, positions, names, rows);
      }
    }

    /** The stages that ran, each operator with what it did, after a summary line. */
    synchronized List<String> analysis(long rows, long millis) {
      List<String> lines = new ArrayList<>();
      Map<String, Object> totals = report.toMap();
      lines.add(
          "Ran in "
              + millis
              + " ms: "
              + rows
              + (rows == 1 ? " row" : " rows")
              + " returned, "
              + totals.getOrDefault("rowsDecoded", 0L)
              + " rows scanned on "
              + members.size()
              + (members.size() == 1 ? " node" : " nodes")
              + (report.strategy() == null
                  ? ""
                  : report.strategy() == Strategy.GATHER
                      ? ", partial results by gather"
                      : ", partial results by shuffle ("
                          + totals.get("bytesShuffled")
                          + " bytes between nodes)"));
      Map<Stage, Map<PhysicalPlan, Integer>> positions = new IdentityHashMap<>();
      List<String> plan =
          PlanPrinter.print(
              stages,
              cluster.self(),
              (stage, operator) ->
                  note(
                      stage,
                      operator,
                      positions.computeIfAbsent(stage, s -> OperatorPositions.of(s.plan()))));
      for (String line : plan) {
        lines.add(ranHere(line));
      }
      return lines;
    }

    /**
     * A stage's heading as it ran: one planned on several nodes but read where it was built (its
     * input gathered, being small) ran once, on the coordinator.
     */
    private String ranHere(String line) {
      for (Map.Entry<Integer, Output> output : outputs.entrySet()) {
        String heading = "Stage " + output.getKey() + ": ";
        int rest = line.indexOf("); output ");
        if (output.getValue() instanceof Here && line.startsWith(heading) && rest > 0) {
          return heading
              + "1 task ("
              + cluster.self().getUri()
              + " (coordinator), its input gathered as it was small"
              + line.substring(rest);
        }
      }
      return line;
    }

    /** What {@code operator} of {@code stage} did: in all, and per node when it ran on several. */
    private String note(Stage stage, PhysicalPlan operator, Map<PhysicalPlan, Integer> positions) {
      Map<String, List<OperatorCounters>> byNode = counters.get(stage.id());
      Integer position = positions.get(operator);
      if (byNode == null || position == null) {
        return "  [did not run: read where it was sent]";
      }
      OperatorCounters total = OperatorCounters.NONE;
      List<String> perNode = new ArrayList<>();
      for (Map.Entry<String, List<OperatorCounters>> node : byNode.entrySet()) {
        OperatorCounters own = own(node.getValue(), operator, positions);
        total = total.plus(own);
        perNode.add(shortName(node.getKey()) + " " + own.rows() + " rows " + ms(own.nanos()));
      }
      if (total.batches() == 0
          && total.nanos() == 0
          && (operator instanceof RemoteSource || operator instanceof Exchange)) {
        return "  [taken by the operator above as the rows arrived]";
      }
      String note =
          "  ["
              + total.rows()
              + (total.rows() == 1 ? " row, " : " rows, ")
              + total.batches()
              + (total.batches() == 1 ? " batch, " : " batches, ")
              + ms(total.nanos());
      return byNode.size() > 1 ? note + "; " + String.join(", ", perNode) + "]" : note + "]";
    }

    /** An operator's counters with its inputs' time taken out of its own. */
    private OperatorCounters own(
        List<OperatorCounters> task, PhysicalPlan operator, Map<PhysicalPlan, Integer> positions) {
      int position = positions.get(operator);
      OperatorCounters counted =
          position < task.size() ? task.get(position) : OperatorCounters.NONE;
      long nanos = counted.nanos();
      for (PhysicalPlan child : operator.children()) {
        Integer at = positions.get(child);
        if (at != null && at < task.size()) {
          nanos -= task.get(at).nanos();
        }
      }
      return new OperatorCounters(counted.rows(), counted.batches(), Math.max(0, nanos));
    }

    /** The output of stage {@code id}, as its reader here reads it. */
    private Operator read(int id, ExecutionContext context) {
      Output output = outputs.get(id);
      Stage stage = stages.get(id - 1);
      if (output instanceof Here) {
        long started = System.nanoTime();
        int self = members.indexOf(cluster.self());
        return new Observed(
            build(stage, context), rows -> report.finalStage(self, rows, millisSince(started)));
      }
      Held held = (Held) output;
      boolean opened = Scan.of(stage.plan()) == null;
      List<Supplier<Operator>> reads = new ArrayList<>();
      for (int t = 0; t < held.nodes().size(); t++) {
        QueryNode node = held.nodes().get(t);
        int task = held.tasks().get(t);
        reads.add(
            () -> {
              long started = System.nanoTime();
              Operator rows =
                  node.output(
                      queryId,
                      id,
                      task,
                      operators -> record(id, node.location().getUri().toString(), operators));
              return opened
                  ? new Observed(
                      rows,
                      count ->
                          report.finalStage(
                              members.indexOf(node.location()), count, millisSince(started)))
                  : rows;
            });
      }
      return new ConcatOperator(stage.plan().schema(), reads);
    }

    /** Frees the query on every node that holds part of it, except those holding the answer. */
    void releaseRest() {
      List<QueryNode> keep = answerTasks == null ? List.of() : answerTasks.nodes();
      calls.releaseEverywhere(
          queryId, memberNodes.stream().filter(n -> !keep.contains(n)).toList());
    }

    void releaseAll() {
      calls.releaseEverywhere(queryId, memberNodes);
    }

    /** The sort keys of the reader of a range repartition: its sort, directly over the source. */
    private List<SortKey> rangeKeys(Stage reader) {
      PhysicalPlan plan = reader.plan();
      while (!(plan instanceof Sort)) {
        if (plan.children().size() != 1) {
          throw new IllegalStateException("A range repartition is read by a sort: " + reader);
        }
        plan = plan.children().get(0);
      }
      return ((Sort) plan).keys();
    }

    /**
     * The boundaries of the ranges, as Arrow IPC, from every task's sample of the sort keys: {@code
     * ranges - 1} of them at even quantiles (fewer when there are fewer sampled rows).
     */
    private Boundaries boundaries(List<SortKey> order, int ranges) {
      List<SortKey> keys = new ArrayList<>();
      for (int k = 0; k < order.size(); k++) {
        SortKey key = order.get(k);
        keys.add(new SortKey(k, key.descending(), key.nullsFirst()));
      }
      try (BufferAllocator allocator =
              root.newChildAllocator(
                  "query-" + queryId + "-boundaries", 0, worker.settings().queryMemoryBytes());
          Sorter samples = new Sorter(keys, allocator)) {
        VectorSchemaRoot first = null;
        for (TaskReport scan : lastScan) {
          if (scan.sample() != null) {
            VectorSchemaRoot sample = ArrowBytes.decode(scan.sample(), allocator);
            samples.add(sample);
            first = first == null ? sample : first;
          }
        }
        if (first == null) {
          return new Boundaries(null, 1);
        }
        long[] sorted = samples.sorted(Long.MAX_VALUE);
        int cuts = Math.max(0, Math.min(ranges - 1, sorted.length - 1));
        long[] picked = new long[cuts];
        for (int b = 0; b < cuts; b++) {
          picked[b] = sorted[(int) ((long) (b + 1) * sorted.length / (cuts + 1))];
        }
        int[] columns = new int[keys.size()];
        for (int c = 0; c < columns.length; c++) {
          columns[c] = c;
        }
        try (VectorSchemaRoot cut = VectorSchemaRoot.create(first.getSchema(), allocator)) {
          samples.fill(cut, picked, 0, cuts, columns);
          return new Boundaries(ArrowBytes.encode(cut), cuts + 1);
        }
      }
    }
  }

  /**
   * The boundaries of a range repartition, as Arrow IPC, and how many ranges they make.
   *
   * @param encoded null when no task kept a row (one empty range)
   */
  private record Boundaries(String encoded, int ranges) {}

  /**
   * {@code plan} with a gather above the part its scan threads run: its partial aggregate, or the
   * whole plan when it has none. On one node this is where the threads' outputs come together.
   */
  static PhysicalPlan gatherScans(PhysicalPlan plan) {
    PhysicalPlan partial = partialAggregate(plan);
    if (partial == null) {
      return Exchange.gather(plan);
    }
    return replace(plan, partial, Exchange.gather(partial));
  }

  private static PhysicalPlan partialAggregate(PhysicalPlan plan) {
    if (plan instanceof Aggregate aggregate && aggregate.mode() == Aggregate.Mode.PARTIAL) {
      return plan;
    }
    for (PhysicalPlan child : plan.children()) {
      PhysicalPlan found = partialAggregate(child);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  private static PhysicalPlan replace(PhysicalPlan plan, PhysicalPlan target, PhysicalPlan with) {
    if (plan == target) {
      return with;
    }
    List<PhysicalPlan> children = new ArrayList<>();
    for (PhysicalPlan child : plan.children()) {
      children.add(replace(child, target, with));
    }
    return plan.withChildren(children);
  }

  /** Whether {@code plan} only computes columns or filters rows of stage {@code input}. */
  static boolean fusable(PhysicalPlan plan, int input) {
    if (plan instanceof RemoteSource source) {
      return source.stage() == input;
    }
    if (plan instanceof Project || plan instanceof Filter || plan instanceof Exchange) {
      return fusable(plan.children().get(0), input);
    }
    return false;
  }

  /** {@code plan} with the remote source of stage {@code input} replaced by {@code with}. */
  static PhysicalPlan substitute(PhysicalPlan plan, int input, PhysicalPlan with) {
    if (plan instanceof RemoteSource source && source.stage() == input) {
      return with;
    }
    List<PhysicalPlan> children = new ArrayList<>();
    for (PhysicalPlan child : plan.children()) {
      children.add(substitute(child, input, with));
    }
    return plan.withChildren(children);
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
  }

  /** A node's address without its scheme, for notes: {@code 10.0.0.1:8815}. */
  private static String shortName(String uri) {
    int scheme = uri.indexOf("://");
    return scheme < 0 ? uri : uri.substring(scheme + 3);
  }

  private static long millisSince(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }

  /** Passes its input's batches on and tells how many rows there were once they end. */
  private static final class Observed extends ForwardingOperator {
    private final LongConsumer atEnd;
    private long rows;
    private boolean ended;

    Observed(Operator input, LongConsumer atEnd) {
      super(input);
      this.atEnd = atEnd;
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
  }
}
