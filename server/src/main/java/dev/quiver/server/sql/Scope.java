package dev.quiver.server.sql;

import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * What names in a clause refer to: the dataset's columns, and in HAVING the aggregates of the
 * query's result.
 *
 * @param dataset the dataset the query reads
 * @param sql the query text, to name computed columns after what the user wrote
 * @param aggregates the result column of an aggregate call, where aggregates may appear; null in
 *     WHERE and the select list of plain queries
 */
record Scope(Dataset dataset, String sql, Function<SqlCall, Field> aggregates) {
  Scope(Dataset dataset, String sql) {
    this(dataset, sql, null);
  }

  /**
   * The column an identifier names: the exact name, or else the one column whose name matches
   * ignoring case (as most SQL engines resolve unquoted names).
   */
  Field column(SqlIdentifier identifier) {
    String name = identifier.names.get(identifier.names.size() - 1);
    return dataset
        .field(name)
        .or(() -> unique(dataset.schema().getFields(), Field::getName, name))
        .orElseThrow(
            () ->
                new QuiverException(
                    ErrorCode.INVALID_ARGUMENT,
                    "Unknown column '"
                        + name
                        + "' in dataset '"
                        + dataset.name()
                        + "'; columns are: "
                        + dataset.schema().getFields().stream()
                            .map(Field::getName)
                            .collect(Collectors.joining(", "))));
  }

  /** The original text of a node, used to name computed columns. */
  String text(SqlNode node) {
    SqlParserPos pos = node.getParserPosition();
    String[] lines = sql.split("\n", -1);
    if (pos.getLineNum() != pos.getEndLineNum() || pos.getLineNum() < 1) {
      return node.toString();
    }
    String line = lines[pos.getLineNum() - 1];
    int start = pos.getColumnNum() - 1;
    int end = Math.min(line.length(), pos.getEndColumnNum());
    return start >= 0 && start < end ? line.substring(start, end) : node.toString();
  }

  /** The one element whose name equals {@code name} ignoring case, if exactly one does. */
  static <T> Optional<T> unique(List<T> elements, Function<T, String> nameOf, String name) {
    List<T> matches =
        elements.stream().filter(e -> nameOf.apply(e).equalsIgnoreCase(name)).toList();
    return matches.size() == 1 ? Optional.of(matches.get(0)) : Optional.empty();
  }
}
