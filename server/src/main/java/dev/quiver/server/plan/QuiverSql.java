package dev.quiver.server.plan;

import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.avatica.util.Quoting;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.parser.babel.SqlBabelParserImpl;
import org.apache.calcite.sql.validate.SqlConformanceEnum;

/**
 * Quiver's SQL dialect as Calcite parses it: Babel's parser (so {@code year}, {@code day} and
 * friends work unquoted), identifiers quoted with double quotes and kept as written.
 */
public final class QuiverSql {
  private static final SqlParser.Config PARSER =
      SqlParser.config()
          .withParserFactory(SqlBabelParserImpl.FACTORY)
          .withQuoting(Quoting.DOUBLE_QUOTE)
          .withUnquotedCasing(Casing.UNCHANGED)
          .withQuotedCasing(Casing.UNCHANGED)
          .withCaseSensitive(true)
          .withConformance(SqlConformanceEnum.LENIENT);

  private QuiverSql() {}

  /** Whether {@code query} reads a view of {@code information_schema} (its rows vary by caller). */
  public static boolean readsInformationSchema(SqlNode query) {
    boolean[] found = new boolean[1];
    query.accept(
        new org.apache.calcite.sql.util.SqlBasicVisitor<Void>() {
          @Override
          public Void visit(SqlIdentifier identifier) {
            found[0] |= InformationSchema.contains(identifier.names);
            return null;
          }
        });
    return found[0];
  }

  /**
   * Parses one query, which may end with a {@code ;}; a syntax error is INVALID_ARGUMENT with its
   * line and column.
   */
  public static SqlNode parse(String sql) {
    if (sql.isBlank()) {
      throw new QuiverException(ErrorCode.INVALID_ARGUMENT, "The query is empty");
    }
    try {
      return SqlParser.create(withoutFinalSemicolon(sql), PARSER).parseQuery();
    } catch (SqlParseException e) {
      for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
        if (cause instanceof StackOverflowError) {
          throw new QuiverException(
              ErrorCode.INVALID_ARGUMENT,
              "The query nests too deeply to parse; write long OR chains as IN lists");
        }
      }
      SqlParserPos pos = e.getPos();
      String message = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
      message = message.replaceFirst(" at line \\d+, column \\d+\\.?$", "");
      if (message.startsWith("Encountered \";\"")) {
        message = "Quiver runs one statement at a time; this one ends at the ';'";
      } else if (message.startsWith("Non-query expression encountered in illegal context")) {
        message =
            "'"
                + firstWord(sql)
                + "' does not start a statement Quiver runs: SELECT, WITH, VALUES, EXPLAIN,"
                + " SHOW or DESCRIBE";
      }
      throw new QuiverException(
          ErrorCode.INVALID_ARGUMENT,
          pos == null
              ? "SQL syntax error: " + message
              : "SQL syntax error at line "
                  + pos.getLineNum()
                  + ", column "
                  + pos.getColumnNum()
                  + ": "
                  + message,
          e);
    }
  }

  /** {@code sql} without one {@code ;} at its end (the parser takes none). */
  private static String withoutFinalSemicolon(String sql) {
    String trimmed = sql.stripTrailing();
    return trimmed.endsWith(";") ? trimmed.substring(0, trimmed.length() - 1) : sql;
  }

  private static String firstWord(String sql) {
    return sql.strip().split("[\\s(]+", 2)[0];
  }

  /**
   * The dataset names in the FROM clauses of a query, as written (without a schema); views of
   * {@code information_schema} are not datasets.
   */
  public static List<String> datasets(SqlNode query) {
    List<String> names = new ArrayList<>();
    collect(query, names);
    return names;
  }

  private static void collect(SqlNode node, List<String> names) {
    if (node instanceof SqlOrderBy orderBy) {
      collect(orderBy.query, names);
    } else if (node instanceof SqlSelect select && select.getFrom() != null) {
      from(select.getFrom(), names);
    }
  }

  private static void from(SqlNode from, List<String> names) {
    if (from instanceof SqlBasicCall call && call.getKind() == SqlKind.AS) {
      from(call.operand(0), names);
    } else if (from instanceof SqlIdentifier identifier) {
      if (!InformationSchema.contains(identifier.names)) {
        names.add(identifier.names.get(identifier.names.size() - 1));
      }
    } else if (from instanceof SqlJoin join) {
      from(join.getLeft(), names);
      from(join.getRight(), names);
    } else {
      collect(from, names);
    }
  }

  /**
   * How each select item of {@code query} was written, to name unnamed result columns as the user
   * wrote them ({@code SUM(a)}, {@code x + 1}); null for items named otherwise (plain columns,
   * aliases) and an empty list when the select list has a {@code *}.
   */
  public static List<String> selectTexts(String sql, SqlNode query) {
    SqlNode node = query instanceof SqlOrderBy orderBy ? orderBy.query : query;
    if (!(node instanceof SqlSelect select)) {
      return List.of();
    }
    List<String> texts = new ArrayList<>();
    for (SqlNode item : select.getSelectList()) {
      if (item instanceof SqlIdentifier identifier && identifier.isStar()) {
        return List.of();
      }
      boolean named =
          item instanceof SqlIdentifier
              || (item instanceof SqlBasicCall call && call.getKind() == SqlKind.AS);
      texts.add(named ? null : text(sql, item));
    }
    return texts;
  }

  /** The original text of a node. */
  static String text(String sql, SqlNode node) {
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
}
