package dev.quiver.server.error;

/** What kind of failure a client sees; mapped to a Flight status code in one place. */
public enum ErrorCode {
  /** The request is wrong: bad ticket, bad column, bad SQL. */
  INVALID_ARGUMENT,
  /** The request names something that does not exist. */
  NOT_FOUND,
  /** A peer or the node itself cannot serve right now. */
  UNAVAILABLE,
  /** A memory or size limit was hit. */
  RESOURCE_EXHAUSTED,
  /** The client or the node cancelled the work. */
  CANCELLED,
  /** The caller may not do this (e.g. ask for a shared-memory result from another host). */
  PERMISSION_DENIED,
  /** The request is valid but Quiver does not do it. */
  UNIMPLEMENTED,
  /** A fault of the node; details stay in the server log. */
  INTERNAL
}
