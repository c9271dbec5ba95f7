package dev.quiver.shuffle.exchange;

/** The other end of a stream did not take a batch within the allowed time. */
public final class ReceiverTimeoutException extends RuntimeException {
  public ReceiverTimeoutException(String message) {
    super(message);
  }
}
