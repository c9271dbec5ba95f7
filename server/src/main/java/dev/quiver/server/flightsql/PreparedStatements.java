package dev.quiver.server.flightsql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import java.io.IOException;

/**
 * Prepared-statement handles that carry their statement, so that any node can execute them (a
 * client behind a load balancer reaches another node with each call), as Flight SQL's stateless
 * prepared statements allow: the handle is versioned JSON of the SQL text and, once parameters are
 * bound, the SQL with the values written in; binding answers with that new handle, which the client
 * uses from then on.
 *
 * <p>Handles are not signed, on purpose: a handle holds nothing but SQL the caller could send as a
 * statement, runs with the caller's identity, and is planned and checked like any statement, so a
 * forged one gains nothing.
 */
final class PreparedStatements {
  /** The handle format's version; a handle of another is refused, naming it. */
  static final int VERSION = 1;

  private static final ObjectMapper JSON = new ObjectMapper();

  private PreparedStatements() {}

  /**
   * What a handle carries.
   *
   * @param v the format's version
   * @param sql the statement as prepared, with its parameter markers
   * @param bound the statement with the bound values written in; null before binding
   */
  record Handle(int v, String sql, String bound) {
    /** The handle of a statement just prepared. */
    static Handle of(String sql) {
      return new Handle(VERSION, sql, null);
    }

    /** This handle with values bound, as {@code boundSql}. */
    Handle bind(String boundSql) {
      return new Handle(VERSION, sql, boundSql);
    }

    ByteString encode() {
      try {
        return ByteString.copyFrom(JSON.writeValueAsBytes(this));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }

    /**
     * Reads a handle.
     *
     * @throws QuiverException INVALID_ARGUMENT for bytes that are not a handle of this version
     */
    static Handle decode(ByteString bytes) {
      Handle handle;
      try {
        handle = JSON.readValue(bytes.toByteArray(), Handle.class);
      } catch (IOException e) {
        throw new QuiverException(
            ErrorCode.INVALID_ARGUMENT,
            "Not a prepared-statement handle of this server (handles from before an upgrade, or"
                + " from another server, must be prepared again)");
      }
      if (handle.v() != VERSION || handle.sql() == null) {
        throw new QuiverException(
            ErrorCode.INVALID_ARGUMENT,
            "Prepared-statement handle of version "
                + handle.v()
                + "; this node reads version "
                + VERSION
                + ": prepare the statement again");
      }
      return handle;
    }
  }
}
