package dev.quiver.server.error;

/**
 * The JVM's heap running out under a failure: an {@link OutOfMemoryError} that the heap budgets did
 * not foresee. It ends the query that met it with RESOURCE_EXHAUSTED, never the node and never as
 * INTERNAL.
 */
public final class HeapExhaustion {
  private HeapExhaustion() {}

  /** The {@link OutOfMemoryError} under {@code failure} (itself or a cause), or null. */
  public static OutOfMemoryError causeOf(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof OutOfMemoryError error) {
        return error;
      }
    }
    return null;
  }

  /** The JVM's maximum heap, as messages name it. */
  public static String heapLimit() {
    return Runtime.getRuntime().maxMemory() + " bytes, -Xmx";
  }
}
