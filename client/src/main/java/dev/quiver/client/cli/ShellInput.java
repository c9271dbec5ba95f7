package dev.quiver.client.cli;

/** Where the shell's statements come from: a terminal with line editing, or a pipe. */
interface ShellInput extends AutoCloseable {
  /**
   * The next input to run: a whole statement (possibly of several lines, ended by {@code ;}), a dot
   * command, or an empty string when Ctrl-C cleared what was typed.
   *
   * @return null at the end of input (Ctrl-D, or the end of a pipe)
   */
  String read();

  /**
   * Until the returned interrupter is closed, Ctrl-C interrupts the calling thread, which cancels
   * what it runs, instead of ending the process.
   */
  CtrlCInterrupter interruptOnCtrlC();

  @Override
  void close();
}
