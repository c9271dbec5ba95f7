package dev.quiver.server;

import java.net.BindException;

/**
 * What a node that failed to start tells the person who started it: one sentence naming the cause
 * and, where one helps, the fix, instead of the framework's stack trace. The sentence is the
 * message of the first exception of Quiver's own in the chain (it names the dataset, file or
 * setting), else the root cause's, with a hint for the failures a first run meets.
 */
final class StartupFailure {
  private StartupFailure() {}

  /**
   * @param port the port the node was asked to listen on, or null when not given on the command
   *     line
   */
  static String sentence(Throwable failure, Integer port) {
    Throwable root = failure;
    Throwable ours = null;
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (ours == null && t.getClass().getName().startsWith("dev.quiver.")) {
        ours = t;
      }
      root = t;
      if (t.getCause() == t) {
        break;
      }
    }
    if (root instanceof BindException) {
      return (port == null ? "The node's port" : "Port " + port)
          + " is already in use ("
          + root.getMessage()
          + "): another process, perhaps another Quiver node, listens there; stop it or choose"
          + " another port with --port";
    }
    Throwable told = ours != null ? ours : root;
    String message = told.getMessage();
    if (message == null || message.isBlank()) {
      message = told.getClass().getSimpleName();
    }
    return message.strip().lines().findFirst().orElse(message);
  }
}
