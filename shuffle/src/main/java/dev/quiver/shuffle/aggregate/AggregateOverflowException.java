package dev.quiver.shuffle.aggregate;

/** An aggregate's value left its result type's range, e.g. a SUM beyond BIGINT. */
public final class AggregateOverflowException extends RuntimeException {
  public AggregateOverflowException(String message, Throwable cause) {
    super(message, cause);
  }

  public AggregateOverflowException(String message) {
    super(message);
  }
}
