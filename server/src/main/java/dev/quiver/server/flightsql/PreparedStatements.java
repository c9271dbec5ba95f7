package dev.quiver.server.flightsql;

import com.google.protobuf.ByteString;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.sql.PreparedQuery;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The prepared statements of this node's Flight SQL clients, by handle. A statement keeps its last
 * bound parameters; one that is not used for the idle limit is dropped (its client is gone).
 */
final class PreparedStatements {
  private final Map<ByteString, Statement> statements = new ConcurrentHashMap<>();
  private final Duration idleLimit;

  /** A prepared query and the parameter values last bound to it. */
  static final class Statement {
    private final PreparedQuery query;
    private volatile List<Object> parameters;
    private volatile long usedNanos = System.nanoTime();

    Statement(PreparedQuery query) {
      this.query = query;
    }

    PreparedQuery query() {
      return query;
    }

    /** The bound values, or null before the first binding. */
    List<Object> parameters() {
      return parameters;
    }

    void bind(List<Object> values) {
      parameters = values;
    }
  }

  PreparedStatements(Duration idleLimit) {
    this.idleLimit = idleLimit;
  }

  /** Keeps {@code query} and returns its new handle. */
  ByteString add(PreparedQuery query) {
    dropIdle();
    ByteString handle = ByteString.copyFrom(UUID.randomUUID().toString(), StandardCharsets.UTF_8);
    statements.put(handle, new Statement(query));
    return handle;
  }

  /**
   * The statement of {@code handle}.
   *
   * @throws QuiverException NOT_FOUND if it was closed, dropped or made by another node
   */
  Statement require(ByteString handle) {
    Statement statement = statements.get(handle);
    if (statement == null) {
      throw new QuiverException(
          ErrorCode.NOT_FOUND,
          "Prepared statement "
              + handle.toStringUtf8()
              + " is unknown on this node: it was closed or idle too long, or made on another node");
    }
    statement.usedNanos = System.nanoTime();
    return statement;
  }

  void remove(ByteString handle) {
    statements.remove(handle);
  }

  private void dropIdle() {
    long now = System.nanoTime();
    statements.values().removeIf(s -> now - s.usedNanos > idleLimit.toNanos());
  }
}
