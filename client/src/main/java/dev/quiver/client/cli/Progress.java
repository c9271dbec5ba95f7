package dev.quiver.client.cli;

import java.io.PrintStream;

/**
 * Rows, bytes and rate of a transfer, redrawn on one terminal line at most a few times a second.
 */
final class Progress {
  private static final long REDRAW_NANOS = 250_000_000L;

  private final PrintStream terminal;
  private final long started = System.nanoTime();
  private long lastDrawn;
  private boolean drawn;

  /**
   * @param terminal where to draw, or null to draw nothing
   */
  Progress(PrintStream terminal) {
    this.terminal = terminal;
  }

  /** Whether anything is drawn at all. */
  boolean shown() {
    return terminal != null;
  }

  void update(long rows, long bytes) {
    if (terminal == null) {
      return;
    }
    long now = System.nanoTime();
    if (now - lastDrawn < REDRAW_NANOS) {
      return;
    }
    lastDrawn = now;
    drawn = true;
    terminal.print("\r" + describe(rows, bytes, now - started) + "   ");
    terminal.flush();
  }

  /** Draws how far a running query got, before its answer streams. */
  void running(double fraction) {
    if (terminal == null) {
      return;
    }
    long now = System.nanoTime();
    if (drawn && fraction < 1.0 && now - lastDrawn < REDRAW_NANOS) {
      return;
    }
    lastDrawn = now;
    drawn = true;
    terminal.print(
        String.format("\rquery %.0f%% in %.1f s   ", fraction * 100, (now - started) / 1e9));
    terminal.flush();
  }

  void finish(long rows, long bytes) {
    if (terminal != null && drawn) {
      terminal.println("\r" + describe(rows, bytes, System.nanoTime() - started) + "   ");
    }
  }

  static String describe(long rows, long bytes, long nanos) {
    double seconds = Math.max(nanos / 1e9, 1e-9);
    return String.format(
        "%,d rows, %s in %.1f s (%s/s)",
        rows, Sizes.human(bytes), seconds, Sizes.human((long) (bytes / seconds)));
  }
}
