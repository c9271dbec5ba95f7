package dev.quiver.shuffle.objectstore;

/** What the object store refuses, and why. */
public final class ObjectStoreException extends RuntimeException {
  /** Why. */
  public enum Reason {
    /** No object of that id (never made, released and expired, or evicted). */
    NOT_FOUND,
    /** The store is full of pinned or unsealed objects. */
    FULL,
    /** The object's writer failed; the message says why. */
    FAILED,
    /** The object was not sealed in time. */
    TIMEOUT,
    /** The directory cannot be written. */
    IO
  }

  private final Reason reason;

  ObjectStoreException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
