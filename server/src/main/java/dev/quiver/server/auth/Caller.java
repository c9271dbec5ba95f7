package dev.quiver.server.auth;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Who made the Flight call this thread is answering, for the checks deep inside it ({@link
 * Access}): set by the producer around each call it answers on the calling thread. Work a call
 * hands to other threads (planning, scanning, the nodes' own calls) runs without a caller and is
 * not checked again there: the call was checked where it came in.
 */
public final class Caller {
  private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

  private Caller() {}

  /** Runs {@code work} as {@code identity} (the call context's peer identity). */
  public static <T> T as(String identity, Supplier<T> work) {
    String outer = CURRENT.get();
    CURRENT.set(identity);
    try {
      return work.get();
    } finally {
      if (outer == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(outer);
      }
    }
  }

  /** Runs {@code work} as {@code identity}. */
  public static void run(String identity, Runnable work) {
    as(
        identity,
        () -> {
          work.run();
          return null;
        });
  }

  /** The identity of the call this thread answers, if any. */
  public static Optional<String> current() {
    return Optional.ofNullable(CURRENT.get()).filter(identity -> !identity.isEmpty());
  }
}
