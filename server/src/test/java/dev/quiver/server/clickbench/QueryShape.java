package dev.quiver.server.clickbench;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a ClickBench query's answer must look like, read from its text: which output columns its
 * ORDER BY sorts on, and the same query without LIMIT and OFFSET (every row the limited query may
 * choose among when rows tie). A key that is no output column ({@code ORDER BY EventTime} in Q24)
 * is at position -1. Enough of SQL for ClickBench's single-table queries, not a parser.
 *
 * @param orderBy the output positions of the ORDER BY keys, in order; empty without ORDER BY
 * @param limited whether the query ends in LIMIT (and OFFSET)
 * @param unlimited the query without its LIMIT and OFFSET
 */
record QueryShape(List<Integer> orderBy, boolean limited, String unlimited) {
  private static final Pattern LIMIT =
      Pattern.compile("\\s+LIMIT\\s+\\d+(\\s+OFFSET\\s+\\d+)?\\s*$", Pattern.CASE_INSENSITIVE);
  private static final Pattern ALIAS =
      Pattern.compile("^(.*)\\s+AS\\s+(\\w+)$", Pattern.CASE_INSENSITIVE);
  private static final Pattern DIRECTION =
      Pattern.compile("\\s+(ASC|DESC)$", Pattern.CASE_INSENSITIVE);

  QueryShape {
    orderBy = List.copyOf(orderBy);
    requireNonNull(unlimited, "unlimited is null");
  }

  /** The shape of {@code sql} over a table whose columns are {@code columns} (for SELECT *). */
  static QueryShape of(String sql, List<String> columns) {
    Matcher limit = LIMIT.matcher(sql);
    boolean limited = limit.find();
    String unlimited = limited ? sql.substring(0, limit.start()) : sql;
    String upper = unlimited.toUpperCase(Locale.ROOT);
    int from = topLevel(upper, " FROM ");
    List<String> select = split(unlimited.substring("SELECT ".length(), from));
    int order = upper.lastIndexOf(" ORDER BY ");
    List<Integer> keys = new ArrayList<>();
    if (order >= 0) {
      for (String item : split(unlimited.substring(order + " ORDER BY ".length()))) {
        keys.add(position(DIRECTION.matcher(item).replaceFirst(""), select, columns));
      }
    }
    return new QueryShape(keys, limited, unlimited);
  }

  /** Whether some ORDER BY key is not among the output columns. */
  boolean ordersByHiddenKey() {
    return orderBy.contains(-1);
  }

  private static int position(String key, List<String> select, List<String> columns) {
    if (select.equals(List.of("*"))) {
      return columns.stream().map(c -> c.toLowerCase(Locale.ROOT)).toList().indexOf(lower(key));
    }
    for (int i = 0; i < select.size(); i++) {
      Matcher alias = ALIAS.matcher(select.get(i));
      String expression = alias.matches() ? alias.group(1) : select.get(i);
      if (lower(key).equals(lower(expression))
          || (alias.matches() && lower(key).equals(lower(alias.group(2))))) {
        return i;
      }
    }
    return -1;
  }

  private static String lower(String text) {
    return text.strip().toLowerCase(Locale.ROOT);
  }

  /** The first occurrence of {@code word} outside parentheses and quotes. */
  private static int topLevel(String text, String word) {
    List<Integer> found = topLevelOccurrences(text, word);
    if (found.isEmpty()) {
      throw new IllegalArgumentException("Cannot find '" + word.strip() + "' in: " + text);
    }
    return found.get(0);
  }

  /** Splits at commas outside parentheses and quotes, each part stripped. */
  private static List<String> split(String list) {
    List<String> parts = new ArrayList<>();
    int start = 0;
    for (int comma : topLevelOccurrences(list, ",")) {
      parts.add(list.substring(start, comma).strip());
      start = comma + 1;
    }
    parts.add(list.substring(start).strip());
    return parts;
  }

  private static List<Integer> topLevelOccurrences(String text, String word) {
    List<Integer> found = new ArrayList<>();
    int depth = 0;
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\'') {
        quoted = !quoted;
      } else if (!quoted && c == '(') {
        depth++;
      } else if (!quoted && c == ')') {
        depth--;
      } else if (!quoted && depth == 0 && text.startsWith(word, i)) {
        found.add(i);
      }
    }
    return found;
  }
}
