package dev.quiver.server.sql;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.parquet.predicate.Predicate;
import dev.quiver.server.exec.SortKey;
import dev.quiver.server.expression.Expression;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * {@code EXPLAIN <query>} (also {@code EXPLAIN PLAN FOR <query>}): the answer is the query's
 * distributed plan, one line of text per row in the column {@code plan}, not its rows. The query is
 * planned (and checked against the caller's grants) as if it ran; nothing is scanned. {@code
 * EXPLAIN ANALYZE <query>} runs the query, drops its rows, and prints the plan that ran with what
 * each operator did on each node.
 *
 * @param sql the whole text, {@code EXPLAIN} included
 * @param explained the query whose plan is printed
 */
public record Explain(String sql, Query explained) implements Query {
  /** The answer's one column. */
  public static final Schema SCHEMA =
      new Schema(List.of(new Field("plan", FieldType.notNullable(ArrowType.Utf8.INSTANCE), null)));

  /** {@code EXPLAIN}, {@code EXPLAIN PLAN FOR}, and {@code EXPLAIN ANALYZE}, before a query. */
  private static final Pattern PREFIX =
      Pattern.compile("^\\s*EXPLAIN\\s+(ANALYZE\\s+)?(PLAN\\s+FOR\\s+)?", Pattern.CASE_INSENSITIVE);

  public Explain {
    requireNonNull(sql, "sql is null");
    requireNonNull(explained, "explained is null");
  }

  /** The query after {@code EXPLAIN} in {@code sql}, if it starts so. */
  public static Optional<String> explainedText(String sql) {
    Matcher matcher = PREFIX.matcher(sql);
    if (!matcher.find()) {
      return Optional.empty();
    }
    return Optional.of(sql.substring(matcher.end()));
  }

  /** Whether it is {@code EXPLAIN ANALYZE}: the query runs. */
  public boolean analyze() {
    Matcher matcher = PREFIX.matcher(sql);
    return matcher.find() && matcher.group(1) != null;
  }

  @Override
  public Dataset dataset() {
    return explained.dataset();
  }

  @Override
  public List<Dataset> datasets() {
    return explained.datasets();
  }

  @Override
  public Predicate filter() {
    return explained.filter();
  }

  @Override
  public Expression residual() {
    return explained.residual();
  }

  @Override
  public List<String> scanColumns() {
    return explained.scanColumns();
  }

  @Override
  public Schema schema() {
    return SCHEMA;
  }

  @Override
  public List<SortKey> order() {
    return List.of();
  }

  @Override
  public OptionalLong limit() {
    return OptionalLong.empty();
  }
}
