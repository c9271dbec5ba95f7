package dev.quiver.server;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * DuckDB in-process: the independent engine that writes test files and computes expected results.
 */
public final class DuckDb implements AutoCloseable {
  private final Connection connection;

  public DuckDb() {
    try {
      connection = DriverManager.getConnection("jdbc:duckdb:");
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot start DuckDB", e);
    }
  }

  public void execute(String sql) {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("DuckDB failed: " + sql, e);
    }
  }

  /** Writes the result of {@code select} to a Parquet file with the given COPY options. */
  public void writeParquet(String select, Path file, String options) {
    execute(
        "COPY ("
            + select
            + ") TO '"
            + file
            + "' (FORMAT PARQUET"
            + (options.isEmpty() ? "" : ", " + options)
            + ")");
  }

  /** Rows of a query, each value as JDBC returns it. */
  public List<List<Object>> query(String sql) {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      ResultSetMetaData meta = rs.getMetaData();
      List<List<Object>> rows = new ArrayList<>();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int c = 1; c <= meta.getColumnCount(); c++) {
          row.add(rs.getObject(c));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException("DuckDB failed: " + sql, e);
    }
  }

  /** An appender that adds rows to {@code schema.table} fast; the caller closes it. */
  public DuckDBAppender appender(String schema, String table) {
    try {
      return connection.unwrap(DuckDBConnection.class).createAppender(schema, table);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot append to DuckDB table " + schema + "." + table, e);
    }
  }

  public long queryLong(String sql) {
    return ((Number) query(sql).get(0).get(0)).longValue();
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
