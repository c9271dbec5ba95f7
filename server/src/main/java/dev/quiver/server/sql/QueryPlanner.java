package dev.quiver.server.sql;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.server.catalog.Catalog;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.plan.LogicalPlanner;
import dev.quiver.server.plan.QuiverSql;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * Plans SQL text into a {@link Query}: parsed by {@link QuiverSql}, validated and converted by
 * Calcite ({@link LogicalPlanner}), against the catalog.
 *
 * <p>Problems are {@link QuiverException}s: INVALID_ARGUMENT for a query that is wrong (syntax with
 * line and column, unknown dataset or column listing what exists, a type error), UNIMPLEMENTED for
 * valid SQL Quiver does not run yet.
 */
public final class QueryPlanner {
  /**
   * The one schema datasets are listed under for SQL tools ({@code main.trips}); a name may be
   * qualified with it or not.
   */
  public static final String SCHEMA = "main";

  /** The deepest nesting of parentheses planned: deeper costs seconds of parsing per level. */
  static final int MAX_PARENTHESES = 1000;

  /** The most operators planned in one query: parsing time grows with their square. */
  static final int MAX_OPERATORS = 20_000;

  /** How many recent plans a planner keeps, so that every endpoint of a query plans it once. */
  private static final int CACHED_PLANS = 256;

  /** At most this many characters of SQL text are kept with the cached plans. */
  private static final long CACHED_SQL_CHARACTERS = 32L << 20;

  private final Catalog catalog;
  private final java.util.concurrent.atomic.AtomicLong plansStopped =
      new java.util.concurrent.atomic.AtomicLong();
  private final Duration planningTimeout;
  private final long maxSqlBytes;
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

  public QueryPlanner(Catalog catalog) {
    this(catalog, Long.MAX_VALUE);
  }

  /**
   * @param maxSqlBytes the longest SQL text planned (UTF-8 bytes); longer is INVALID_ARGUMENT
   */
  public QueryPlanner(Catalog catalog, long maxSqlBytes) {
    this(catalog, maxSqlBytes, Duration.ofMinutes(1));
  }

  /**
   * @param maxSqlBytes the longest SQL text planned (UTF-8 bytes); longer is INVALID_ARGUMENT
   * @param planningTimeout the longest a caller waits for a plan; longer is RESOURCE_EXHAUSTED
   */
  public QueryPlanner(Catalog catalog, long maxSqlBytes, Duration planningTimeout) {
    this.catalog = requireNonNull(catalog, "catalog is null");
    this.maxSqlBytes = maxSqlBytes;
    this.planningTimeout = requireNonNull(planningTimeout, "planningTimeout is null");
  }

  /**
   * Parses, validates and plans {@code sql}: a scan, or an aggregation. Plans are immutable and the
   * catalog does not change, so recent plans are reused by their text.
   */
  public Query plan(String sql) {
    requireNonNull(sql, "sql is null");
    // Characters are at most 3 bytes in UTF-8 (4 for a pair): count bytes only when it matters.
    if (sql.length() * 3L > maxSqlBytes
        && sql.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > maxSqlBytes) {
      throw invalid(
          "The query is longer than "
              + maxSqlBytes
              + " bytes (quiver.max-sql-bytes); write long value lists as IN lists or a dataset");
    }
    SqlShape shape = SqlShape.of(sql);
    if (shape.depth() > MAX_PARENTHESES) {
      throw invalid(
          "The query nests parentheses "
              + shape.depth()
              + " levels deep; at most "
              + MAX_PARENTHESES
              + " are planned");
    }
    if (shape.operators() > MAX_OPERATORS) {
      throw invalid(
          "The query has "
              + shape.operators()
              + " operators (AND, OR, comparisons, arithmetic); at most "
              + MAX_OPERATORS
              + " are planned: write long OR chains as IN lists");
    }
    synchronized (plans) {
      Query cached = plans.get(sql);
      // A plan holds the dataset it was planned against: one refreshed since is planned again.
      if (cached != null
          && catalog.find(cached.dataset().name()).orElse(null) == cached.dataset()) {
        return readable(cached);
      }
    }
    Query query = onPlannerThread(() -> planUncached(sql));
    synchronized (plans) {
      if (plans.put(sql, query) == null) {
        cachedCharacters += sql.length();
      }
    }
    return readable(query);
  }

  /**
   * {@code query}, if the caller may read its dataset (planning itself sees every dataset, so a
   * dataset the caller may not read is refused by name rather than unknown).
   *
   * @throws QuiverException PERMISSION_DENIED naming the user and the dataset
   */
  private Query readable(Query query) {
    catalog.access().check(query.dataset().name());
    return query;
  }

  /**
   * Parsing and validation recurse once per nesting level, and Calcite's parser nests a chain of
   * {@code OR}s as deep as it is long: plans are made on threads with a deep stack, and a query
   * deeper still is INVALID_ARGUMENT rather than a failure of the node.
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
    long deadline = System.nanoTime() + planningTimeout.toNanos();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        try {
          return result.get(Math.min(left, CLIENT_CHECK_NANOS), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          if (call.isCancelled()) {
            result.cancel(true);
            throw new QuiverException(
                ErrorCode.CANCELLED, "The client went away while the query was planned");
          }
          if (deadline - System.nanoTime() <= 0) {
            throw e;
          }
        }
      }
    } catch (TimeoutException e) {
      // The planner thread is interrupted, and stops at its next expression.
      result.cancel(true);
      throw new QuiverException(
          ErrorCode.RESOURCE_EXHAUSTED,
          "Planning the query took longer than "
              + planningTimeout
              + " (quiver.planning-timeout); simplify it");
    } catch (InterruptedException e) {
      result.cancel(true);
      Thread.currentThread().interrupt();
      throw new QuiverException(ErrorCode.CANCELLED, "Planning was interrupted");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof StackOverflowError) {
        throw invalid("The query nests too deeply to plan; write long OR chains as IN lists");
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

  /** How many plans stopped early because their caller gave up (timed out or went away). */
  public long plansStopped() {
    return plansStopped.get();
  }

  private Query planUncached(String sql) {
    try {
      return planParsed(sql);
    } catch (QuiverException e) {
      if (e.code() == ErrorCode.CANCELLED) {
        plansStopped.incrementAndGet();
      }
      throw e;
    }
  }

  private Query planParsed(String sql) {
    SqlNode parsed = QuiverSql.parse(sql);
    requireQuery(parsed);
    for (String name : QuiverSql.datasets(parsed)) {
      dataset(name);
    }
    List<String> texts = QuiverSql.selectTexts(sql, parsed);
    return new LogicalPlanner(catalog, SCHEMA).plan(sql, parsed, texts);
  }

  /**
   * Parses and validates a query with {@code ?} parameters. Each marker must be compared with a
   * column (in WHERE or HAVING), whose type becomes the parameter's.
   */
  public PreparedQuery prepare(String sql) {
    requireNonNull(sql, "sql is null");
    SqlNode parsed = QuiverSql.parse(sql);
    List<Parameters.Marker> markers = Parameters.find(parsed);
    if (markers.isEmpty()) {
      return new PreparedQuery(sql, List.of(), plan(sql).schema());
    }
    requireQuery(parsed);
    List<String> datasets = QuiverSql.datasets(parsed);
    if (datasets.size() != 1) {
      throw invalid("A prepared statement must read one dataset");
    }
    Dataset dataset = dataset(datasets.get(0));
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
    Schema schema = plan(Parameters.bind(sql, markers, examples)).schema();
    return new PreparedQuery(sql, parameters, schema);
  }

  /**
   * The text of {@code sql} with its {@code ?} markers replaced by {@code values} as literals, in
   * order: an ordinary query to {@link #plan}.
   */
  public String bind(String sql, List<Object> values) {
    return Parameters.bind(sql, Parameters.find(QuiverSql.parse(sql)), values);
  }

  /** Writes and DDL are UNIMPLEMENTED (Quiver is read-only); other statements are not queries. */
  private static void requireQuery(SqlNode node) {
    SqlNode query = node instanceof SqlOrderBy orderBy ? orderBy.query : node;
    if (query instanceof SqlSelect
        || query.getKind() == SqlKind.UNION
        || query.getKind() == SqlKind.VALUES) {
      return;
    }
    if (SqlKind.DML.contains(node.getKind()) || SqlKind.DDL.contains(node.getKind())) {
      throw new QuiverException(
          ErrorCode.UNIMPLEMENTED,
          "Quiver is read-only: " + node.getKind() + " statements are not supported");
    }
    throw invalid("Only SELECT queries are supported, got " + node.getKind());
  }

  private Dataset dataset(String name) {
    return catalog
        .find(name)
        .or(() -> unique(catalog.names(), name).flatMap(catalog::find))
        .orElseThrow(
            () ->
                invalid(
                    "Unknown dataset '"
                        + name
                        + "'; datasets are: "
                        + String.join(", ", catalog.names())));
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
