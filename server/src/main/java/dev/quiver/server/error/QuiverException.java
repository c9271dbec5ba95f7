package dev.quiver.server.error;

import static java.util.Objects.requireNonNull;

/** A failure with a category and a message that names the culprit, meant for the client. */
public class QuiverException extends RuntimeException {
  private final ErrorCode code;

  public QuiverException(ErrorCode code, String message) {
    super(message);
    this.code = requireNonNull(code, "code is null");
  }

  public QuiverException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = requireNonNull(code, "code is null");
  }

  public ErrorCode code() {
    return code;
  }
}
