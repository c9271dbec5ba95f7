package dev.quiver.client.cli;

import org.jline.terminal.Terminal;

/**
 * While open, Ctrl-C on the terminal interrupts the thread that opened it instead of ending the
 * process. The statement that thread runs then stops: a blocking Flight call is cancelled, and the
 * stream being read throws and is closed, which cancels it on the nodes. Closing the interrupter
 * gives Ctrl-C back to the terminal's previous handler and clears the thread's interrupt, so that a
 * Ctrl-C that came as the statement ended leaves nothing behind.
 */
final class CtrlCInterrupter implements AutoCloseable {
  private final Terminal terminal;
  private final Terminal.SignalHandler previous;
  private final Thread thread = Thread.currentThread();
  private boolean pressed;
  private boolean closed;

  private CtrlCInterrupter(Terminal terminal) {
    this.terminal = terminal;
    this.previous = terminal == null ? null : terminal.handle(Terminal.Signal.INT, s -> pressed());
  }

  /** Ctrl-C on {@code terminal} interrupts the calling thread until closed. */
  static CtrlCInterrupter on(Terminal terminal) {
    return new CtrlCInterrupter(terminal);
  }

  /** Without a terminal: nothing to interrupt on, Ctrl-C ends the process as usual. */
  static CtrlCInterrupter none() {
    return new CtrlCInterrupter(null);
  }

  private synchronized void pressed() {
    if (!closed) {
      pressed = true;
      thread.interrupt();
    }
  }

  /** Whether Ctrl-C was pressed while open. */
  synchronized boolean wasPressed() {
    return pressed;
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    if (terminal != null) {
      terminal.handle(Terminal.Signal.INT, previous);
    }
    Thread.interrupted();
  }
}
