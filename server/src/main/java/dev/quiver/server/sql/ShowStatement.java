package dev.quiver.server.sql;

import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The statements people and SQL tools send to look around, answered as queries of {@code
 * information_schema}: {@code SHOW TABLES}, {@code SHOW SCHEMAS}, and a dataset's columns through
 * {@code DESCRIBE t}, {@code DESC t} or {@code SHOW COLUMNS FROM t} (as DuckDB answers them: {@code
 * column_name}, {@code column_type}, {@code null}).
 *
 * @param table the dataset whose columns are asked for, as written (unquoted); null for the others
 */
record ShowStatement(Kind kind, String table) {
  enum Kind {
    TABLES,
    SCHEMAS,
    COLUMNS
  }

  private static final String END = "\\s*;?\\s*$";
  private static final Pattern TABLES =
      Pattern.compile("^\\s*SHOW\\s+TABLES" + END, Pattern.CASE_INSENSITIVE);
  private static final Pattern SCHEMAS =
      Pattern.compile("^\\s*SHOW\\s+(?:SCHEMAS|DATABASES)" + END, Pattern.CASE_INSENSITIVE);
  private static final Pattern COLUMNS =
      Pattern.compile(
          "^\\s*(?:DESCRIBE|DESC|SHOW\\s+COLUMNS\\s+(?:FROM|IN))\\s+"
              + "(?:(?:main|\"main\")\\s*\\.\\s*)?"
              + "(?:\"((?:[^\"]|\"\")+)\"|([A-Za-z_][A-Za-z0-9_$]*))"
              + END,
          Pattern.CASE_INSENSITIVE);

  private static final Pattern OTHER =
      Pattern.compile("^\\s*(?:SHOW|DESCRIBE|DESC)\\b", Pattern.CASE_INSENSITIVE);

  /**
   * The statement {@code sql} is, if it is one of these.
   *
   * @throws QuiverException INVALID_ARGUMENT for another SHOW or DESCRIBE statement
   */
  static Optional<ShowStatement> parse(String sql) {
    if (TABLES.matcher(sql).matches()) {
      return Optional.of(new ShowStatement(Kind.TABLES, null));
    }
    if (SCHEMAS.matcher(sql).matches()) {
      return Optional.of(new ShowStatement(Kind.SCHEMAS, null));
    }
    Matcher columns = COLUMNS.matcher(sql);
    if (columns.matches()) {
      String table =
          columns.group(1) != null ? columns.group(1).replace("\"\"", "\"") : columns.group(2);
      return Optional.of(new ShowStatement(Kind.COLUMNS, table));
    }
    if (OTHER.matcher(sql).lookingAt()) {
      throw new QuiverException(
          ErrorCode.INVALID_ARGUMENT,
          "Quiver answers SHOW TABLES, SHOW SCHEMAS, SHOW COLUMNS FROM <dataset> and DESCRIBE"
              + " <dataset>; other SHOW and DESCRIBE statements are not supported");
    }
    return Optional.empty();
  }

  /**
   * The query that answers it.
   *
   * @param dataset the name of the dataset {@link #table()} resolved to, for {@link Kind#COLUMNS}
   */
  String query(String dataset) {
    return switch (kind) {
      case TABLES -> "SELECT table_name AS name FROM information_schema.tables ORDER BY table_name";
      case SCHEMAS ->
          "SELECT schema_name AS name FROM information_schema.schemata ORDER BY schema_name";
      case COLUMNS ->
          "SELECT column_name, data_type AS column_type, is_nullable AS \"null\""
              + " FROM information_schema.columns WHERE table_name = '"
              + dataset.replace("'", "''")
              + "' ORDER BY ordinal_position";
    };
  }
}
