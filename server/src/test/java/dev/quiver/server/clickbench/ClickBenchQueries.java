package dev.quiver.server.clickbench;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * ClickBench's 43 queries as DuckDB runs them, read from {@code clickbench/queries.sql} on the
 * class path (its header names their source and licence), over the table {@code hits}.
 */
public final class ClickBenchQueries {
  /** One query: its number as ClickBench counts (from 0) and its text, without the semicolon. */
  public record ClickBenchQuery(int number, String sql) {
    public ClickBenchQuery {
      requireNonNull(sql, "sql is null");
    }

    @Override
    public String toString() {
      return "Q" + number;
    }
  }

  private static final String RESOURCE = "/clickbench/queries.sql";
  private static final List<ClickBenchQuery> ALL = load();

  private ClickBenchQueries() {}

  /** Q0 to Q42, in order. */
  public static List<ClickBenchQuery> all() {
    return ALL;
  }

  public static ClickBenchQuery query(int number) {
    return ALL.get(number);
  }

  private static List<ClickBenchQuery> load() {
    try (InputStream in = ClickBenchQueries.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("Cannot find " + RESOURCE + " on the class path");
      }
      List<ClickBenchQuery> queries = new ArrayList<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList()) {
        if (!line.isBlank() && !line.startsWith("--")) {
          String sql = line.strip();
          queries.add(
              new ClickBenchQuery(
                  queries.size(), sql.endsWith(";") ? sql.substring(0, sql.length() - 1) : sql));
        }
      }
      if (queries.size() != 43) {
        throw new IllegalStateException(
            "Cannot use " + RESOURCE + ": it holds " + queries.size() + " queries, not 43");
      }
      return List.copyOf(queries);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
