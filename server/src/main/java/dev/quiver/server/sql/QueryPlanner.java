package dev.quiver.server.sql;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.server.catalog.Catalog;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.plan.LogicalPlanner;
import dev.quiver.server.plan.QuiverSql;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * Plans SQL text into a {@link Query}: parsed by {@link QuiverSql}, validated and converted by
 * Calcite ({@link LogicalPlanner}), against the catalog.
 *
 * <p>Every query is held to the {@link PlanningLimits} before the work each bounds: its text before
 * parsing ({@link SqlShape}), its parsed tree before validation ({@link ExpressionSize}), and it is
 * parsed and planned on a planner thread that stops when its caller gives up.
 *
 * <p>Problems are {@link QuiverException}s: INVALID_ARGUMENT for a query that is wrong (syntax with
 * line and column, unknown dataset or column listing what exists, a type error) or beyond a limit
 * (naming the setting), UNIMPLEMENTED for valid SQL Quiver does not run yet.
 */
public final class QueryPlanner {
  /**
   * The one schema datasets are listed under for SQL tools ({@code main.trips}); a name may be
   * qualified with it or not.
   */
  public static final String SCHEMA = "main";

  /** How many recent plans a planner keeps, so that every endpoint of a query plans it once. */
  private static final int CACHED_PLANS = 256;

  /** At most this many characters of SQL text are kept with the cached plans. */
  private static final long CACHED_SQL_CHARACTERS = 32L << 20;

  private final Catalog catalog;
  private final PlanningLimits limits;
  private final AtomicLong plansStopped = new AtomicLong();
  private long cachedCharacters;
  private final Map<String, Query> plans =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Query> eldest) {
          boolean evict = size() > CACHED_PLANS || cachedCharacters > CACHED_SQL_CHARACTERS;
          if (evict) {
            cachedCharacters -= eldest.getKey().length();
          }
          return evict;
        }
      };

  /** A planner with the default limits. */
  public QueryPlanner(Catalog catalog) {
    this(catalog, PlanningLimits.DEFAULT);
  }

  public QueryPlanner(Catalog catalog, PlanningLimits limits) {
    this.catalog = requireNonNull(catalog, "catalog is null");
    this.limits = requireNonNull(limits, "limits is null");
  }

  /**
   * Parses, validates and plans {@code sql}: a scan, or an aggregation. Plans are immutable and the
   * catalog does not change, so recent plans are reused by their text.
   *
   * @throws QuiverException INVALID_ARGUMENT for a query beyond the {@link PlanningLimits},
   *     RESOURCE_EXHAUSTED when planning outlives the planning timeout, CANCELLED when the client
   *     went away first
   */
  public Query plan(String sql) {
    checkText(sql);
    Optional<String> explained = Explain.explainedText(sql);
    if (explained.isPresent()) {
      if (Explain.explainedText(explained.get()).isPresent()) {
        throw invalid("EXPLAIN explains a query, not another EXPLAIN");
      }
      return new Explain(sql, plan(explained.get()));
    }
    Optional<ShowStatement> show = ShowStatement.parse(sql);
    if (show.isPresent()) {
      return plan(show.get().query(shownDataset(show.get())));
    }
    Query cached = cached(sql);
    if (cached != null) {
      return readable(cached);
    }
    List<String> visible = catalog.names();
    return readable(onPlannerThread(() -> planHere(sql, visible)));
  }

  /**
   * Parses and validates a query with {@code ?} parameters. Each marker must be compared with a
   * column (in WHERE or HAVING), whose type becomes the parameter's. Bounded as {@link #plan} is.
   */
  public PreparedQuery prepare(String sql) {
    if (Explain.explainedText(sql).isPresent() || ShowStatement.parse(sql).isPresent()) {
      return new PreparedQuery(sql, List.of(), plan(sql).schema());
    }
    checkText(sql);
    List<String> visible = catalog.names();
    Prepared prepared = onPlannerThread(() -> prepareHere(sql, visible));
    readable(prepared.plan());
    return prepared.statement();
  }

  /**
   * The text of {@code sql} with its {@code ?} markers replaced by {@code values} as literals, in
   * order: an ordinary query to {@link #plan}.
   */
  public String bind(String sql, List<Object> values) {
    if (ShowStatement.parse(sql).isPresent()) {
      return sql;
    }
    Optional<String> explained = Explain.explainedText(sql);
    if (explained.isPresent()) {
      String prefix = sql.substring(0, sql.length() - explained.get().length());
      return values.isEmpty() ? sql : prefix + bind(explained.get(), values);
    }
    checkText(sql);
    List<Parameters.Marker> markers = onPlannerThread(() -> Parameters.find(parse(sql)));
    return Parameters.bind(sql, markers, values);
  }

  /**
   * How many plans were stopped because their caller gave up (its client went away, its deadline
   * passed, or planning outlived the planning timeout): counted when the planner thread is
   * interrupted, which stops it at its next expression.
   */
  public long plansStopped() {
    return plansStopped.get();
  }

  /**
   * What can be told from the text before the parser sees it: its length, how deep its parentheses
   * nest (the parser recurses per level) and how many operators it holds (Calcite's parser takes
   * time quadratic in an expression's operators; each operator is at least one expression node).
   */
  private void checkText(String sql) {
    requireNonNull(sql, "sql is null");
    long maxSqlBytes = limits.maxSqlBytes();
    // Characters are at most 3 bytes in UTF-8 (4 for a pair): count bytes only when it matters.
    if (sql.length() * 3L > maxSqlBytes
        && sql.getBytes(StandardCharsets.UTF_8).length > maxSqlBytes) {
      throw invalid(
          "The query is longer than "
              + maxSqlBytes
              + " bytes (quiver.max-sql-bytes); write long value lists as IN lists or a dataset");
    }
    SqlShape shape = SqlShape.of(sql);
    if (shape.depth() > limits.maxExpressionDepth()) {
      throw invalid(
          "The query nests parentheses "
              + shape.depth()
              + " levels deep; at most "
              + limits.maxExpressionDepth()
              + " are planned (quiver.max-expression-depth)");
    }
    if (shape.operators() > limits.maxExpressionNodes()) {
      throw tooLarge("at least " + shape.operators() + " operators and operands");
    }
  }

  /**
   * Parses {@code sql} (on a planner thread: the parser recurses per level) and checks its size
   * before anything else walks it.
   */
  private SqlNode parse(String sql) {
    SqlNode parsed = QuiverSql.parse(sql);
    ExpressionSize size = ExpressionSize.of(parsed);
    if (size.depth() > limits.maxExpressionDepth()) {
      throw invalid(
          "The query nests expressions "
              + size.depth()
              + " levels deep; at most "
              + limits.maxExpressionDepth()
              + " are planned (quiver.max-expression-depth)");
    }
    if (size.nodes() > limits.maxExpressionNodes()) {
      throw tooLarge(size.nodes() + " operators and operands");
    }
    return parsed;
  }

  private QuiverException tooLarge(String what) {
    return invalid(
        "The query has "
            + what
            + "; at most "
            + limits.maxExpressionNodes()
            + " are planned (quiver.max-expression-nodes): write long OR chains as IN lists");
  }

  private Query cached(String sql) {
    synchronized (plans) {
      Query cached = plans.get(sql);
      // A plan holds the dataset it was planned against: one refreshed since is planned again.
      if (cached != null
          && cached.datasets().stream().allMatch(d -> catalog.find(d.name()).orElse(null) == d)) {
        return cached;
      }
      return null;
    }
  }

  /**
   * {@code query}, if the caller may read its dataset (planning itself sees every dataset, so a
   * dataset the caller may not read is refused by name rather than unknown). Called on the caller's
   * thread, which knows the caller.
   *
   * @throws QuiverException PERMISSION_DENIED naming the user and the dataset
   */
  private Query readable(Query query) {
    for (Dataset dataset : query.datasets()) {
      catalog.access().check(dataset.name());
    }
    return query;
  }

  /**
   * Parsing and validation recurse once per nesting level: plans are made on threads with a deep
   * stack, and a query deeper than even that is INVALID_ARGUMENT rather than a failure of the node.
   */
  private static final long PLANNER_STACK_BYTES = 256L << 20;

  /** How often a caller waiting for a plan checks that its client is still there. */
  private static final long CLIENT_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private static final ExecutorService PLANNER_THREADS =
      Executors.newCachedThreadPool(
          runnable -> {
            Thread thread = new Thread(null, runnable, "quiver-planner", PLANNER_STACK_BYTES);
            thread.setDaemon(true);
            return thread;
          });

  /**
   * Runs {@code work} on a planner thread while the calling thread waits, at most the planning
   * timeout, and only as long as the call it answers is live: when the client cancels or its
   * deadline passes (gRPC cancels the call's context), the planner thread is interrupted, and stops
   * at its next expression.
   */
  private <T> T onPlannerThread(Callable<T> work) {
    Future<T> result = PLANNER_THREADS.submit(work);
    io.grpc.Context call = io.grpc.Context.current();
    long deadline = System.nanoTime() + limits.planningTimeout().toNanos();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        try {
          return result.get(Math.min(left, CLIENT_CHECK_NANOS), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          if (call.isCancelled()) {
            stop(result);
            throw new QuiverException(
                ErrorCode.CANCELLED, "The client went away while the query was planned");
          }
          if (deadline - System.nanoTime() <= 0) {
            throw e;
          }
        }
      }
    } catch (TimeoutException e) {
      stop(result);
      throw new QuiverException(
          ErrorCode.RESOURCE_EXHAUSTED,
          "Planning the query took longer than "
              + limits.planningTimeout()
              + " (quiver.planning-timeout); simplify it");
    } catch (InterruptedException e) {
      stop(result);
      Thread.currentThread().interrupt();
      throw new QuiverException(ErrorCode.CANCELLED, "Planning was interrupted");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof StackOverflowError) {
        throw invalid(
            "The query nests too deeply to plan (quiver.max-expression-depth is "
                + limits.maxExpressionDepth()
                + "); write long OR chains as IN lists");
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(cause);
    }
  }

  /** Interrupts a plan still running, counted as stopped. */
  private void stop(Future<?> plan) {
    if (plan.cancel(true)) {
      plansStopped.incrementAndGet();
    }
  }

  /**
   * Plans {@code sql} on the current (planner) thread and keeps the plan, unless it reads {@code
   * information_schema}, whose rows depend on the caller.
   *
   * @param visible the datasets the caller may read (the planner thread does not know the caller)
   */
  private Query planHere(String sql, List<String> visible) {
    Query cached = cached(sql);
    if (cached != null) {
      return cached;
    }
    SqlNode parsed = parse(sql);
    requireQuery(parsed);
    for (String name : QuiverSql.datasets(parsed)) {
      dataset(name, visible);
    }
    List<String> texts = QuiverSql.selectTexts(sql, parsed);
    Query query = new LogicalPlanner(catalog, SCHEMA, visible).plan(sql, parsed, texts);
    if (QuiverSql.readsInformationSchema(parsed)) {
      return query;
    }
    synchronized (plans) {
      if (plans.put(sql, query) == null) {
        cachedCharacters += sql.length();
      }
    }
    return query;
  }

  /**
   * A prepared statement and the plan that gave its schema (whose dataset the caller must read).
   */
  private record Prepared(PreparedQuery statement, Query plan) {}

  /** Prepares {@code sql} on the current (planner) thread. */
  private Prepared prepareHere(String sql, List<String> visible) {
    SqlNode parsed = parse(sql);
    List<Parameters.Marker> markers = Parameters.find(parsed);
    if (markers.isEmpty()) {
      Query plan = planHere(sql, visible);
      return new Prepared(new PreparedQuery(sql, List.of(), plan.schema()), plan);
    }
    requireQuery(parsed);
    List<String> datasets = QuiverSql.datasets(parsed);
    if (datasets.size() != 1) {
      throw invalid("A prepared statement must read one dataset");
    }
    Dataset dataset = dataset(datasets.get(0), visible);
    List<Field> parameters = new ArrayList<>();
    for (Parameters.Marker marker : markers) {
      if (marker.column() == null) {
        SqlParserPos pos = marker.param().getParserPosition();
        throw invalid(
            "Parameter "
                + (marker.param().getIndex() + 1)
                + " at line "
                + pos.getLineNum()
                + ", column "
                + pos.getColumnNum()
                + " must be compared with a column");
      }
      String name = marker.column().names.get(marker.column().names.size() - 1);
      Field column = column(dataset, name);
      parameters.add(
          new Field(
              "parameter_" + (marker.param().getIndex() + 1),
              new FieldType(true, column.getType(), null),
              null));
    }
    List<Object> examples = new ArrayList<>();
    parameters.forEach(p -> examples.add(Parameters.example(p.getType())));
    Query plan = planHere(Parameters.bind(sql, markers, examples), visible);
    return new Prepared(new PreparedQuery(sql, parameters, plan.schema()), plan);
  }

  /** Writes and DDL are UNIMPLEMENTED (Quiver is read-only); other statements are not queries. */
  private static void requireQuery(SqlNode node) {
    SqlNode query = node instanceof SqlOrderBy orderBy ? orderBy.query : node;
    if (query instanceof SqlSelect
        || query.getKind() == SqlKind.WITH
        || SqlKind.SET_QUERY.contains(query.getKind())
        || query.getKind() == SqlKind.VALUES) {
      return;
    }
    if (node.getKind() == SqlKind.SET_OPTION) {
      throw new QuiverException(
          ErrorCode.UNIMPLEMENTED,
          "SET is not supported: Quiver has no session settings; a node's settings are its"
              + " configuration (docs/configuration.md)");
    }
    if (SqlKind.DML.contains(node.getKind()) || SqlKind.DDL.contains(node.getKind())) {
      throw new QuiverException(
          ErrorCode.UNIMPLEMENTED,
          "Quiver is read-only: " + node.getKind() + " statements are not supported");
    }
    throw invalid("Only SELECT queries are supported, got " + node.getKind());
  }

  /**
   * The name of the dataset whose columns {@code show} asks for, or null when it asks for none.
   *
   * @throws QuiverException INVALID_ARGUMENT for an unknown dataset, PERMISSION_DENIED for one the
   *     caller may not read
   */
  private String shownDataset(ShowStatement show) {
    if (show.table() == null) {
      return null;
    }
    String name = dataset(show.table(), catalog.names()).name();
    catalog.access().check(name);
    return name;
  }

  /**
   * The dataset {@code name} names (ignoring case when one name matches so); an unknown one lists
   * the datasets the caller may read, {@code visible}.
   */
  private Dataset dataset(String name, List<String> visible) {
    return catalog
        .find(name)
        .or(() -> unique(catalog.names(), name).flatMap(catalog::find))
        .orElseThrow(
            () ->
                invalid(
                    "Unknown dataset '" + name + "'; datasets are: " + String.join(", ", visible)));
  }

  private static Field column(Dataset dataset, String name) {
    return dataset
        .field(name)
        .or(
            () ->
                unique(dataset.schema().getFields().stream().map(Field::getName).toList(), name)
                    .flatMap(dataset::field))
        .orElseThrow(
            () ->
                invalid(
                    "Unknown column '"
                        + name
                        + "' in dataset '"
                        + dataset.name()
                        + "'; columns are: "
                        + String.join(
                            ", ",
                            dataset.schema().getFields().stream().map(Field::getName).toList())));
  }

  /** The one name equal to {@code name} ignoring case, if exactly one is. */
  private static java.util.Optional<String> unique(List<String> names, String name) {
    List<String> matches = names.stream().filter(n -> n.equalsIgnoreCase(name)).toList();
    return matches.size() == 1 ? java.util.Optional.of(matches.get(0)) : java.util.Optional.empty();
  }

  static QuiverException invalid(String message) {
    return new QuiverException(ErrorCode.INVALID_ARGUMENT, message);
  }
}
