package dev.quiver.client.cli;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.function.Supplier;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/**
 * Tab completion in the shell: dot commands at the start of a line, dataset names and SQL keywords
 * elsewhere. The dataset names are asked from the node at each Tab; when it cannot answer, only the
 * keywords complete.
 */
final class ShellCompleter implements Completer {
  private static final List<String> KEYWORDS =
      List.of(
          "SELECT",
          "DISTINCT",
          "FROM",
          "WHERE",
          "GROUP",
          "BY",
          "HAVING",
          "ORDER",
          "LIMIT",
          "OFFSET",
          "JOIN",
          "LEFT",
          "RIGHT",
          "FULL",
          "INNER",
          "OUTER",
          "ON",
          "AS",
          "AND",
          "OR",
          "NOT",
          "IN",
          "IS",
          "NULL",
          "LIKE",
          "BETWEEN",
          "EXISTS",
          "CASE",
          "WHEN",
          "THEN",
          "ELSE",
          "END",
          "CAST",
          "COUNT",
          "SUM",
          "AVG",
          "MIN",
          "MAX",
          "WITH",
          "UNION",
          "ALL",
          "INTERSECT",
          "EXCEPT",
          "ASC",
          "DESC",
          "EXPLAIN",
          "ANALYZE");

  private final Supplier<List<String>> datasets;

  /**
   * @param datasets the names of the node's datasets; may throw when the node does not answer
   */
  ShellCompleter(Supplier<List<String>> datasets) {
    this.datasets = requireNonNull(datasets, "datasets is null");
  }

  @Override
  public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
    if (line.wordIndex() == 0 && line.word().startsWith(".")) {
      for (String command : DotCommand.NAMES) {
        candidates.add(new Candidate(command));
      }
      return;
    }
    for (String name : datasetsOrNone()) {
      candidates.add(new Candidate(name));
    }
    if (line.words().isEmpty() || !line.words().get(0).startsWith(".")) {
      for (String keyword : KEYWORDS) {
        candidates.add(new Candidate(keyword));
      }
    }
  }

  private List<String> datasetsOrNone() {
    try {
      return datasets.get();
    } catch (RuntimeException e) {
      return List.of();
    }
  }
}
