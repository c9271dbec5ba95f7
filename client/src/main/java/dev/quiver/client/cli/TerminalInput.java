package dev.quiver.client.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.jline.reader.Completer;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.terminal.spi.SystemStream;
import org.jline.terminal.spi.TerminalProvider;

/**
 * Statements typed on a terminal, read with JLine: line editing, a history kept in a file, Tab
 * completion, a {@value #PROMPT} prompt and a {@value #CONTINUATION} one for the lines of a
 * statement that has not ended yet. Ctrl-C clears what was typed; Ctrl-D on an empty line ends the
 * input.
 *
 * <p>The terminal is JLine's {@code exec} provider, which sets the terminal's modes with {@code
 * stty}: it loads no native library, so no JVM warns about native access.
 */
final class TerminalInput implements ShellInput {
  static final String PROMPT = "quiver> ";
  static final String CONTINUATION = "   ...> ";
  private static final String PROVIDER = "exec";

  private final Terminal terminal;
  private final LineReader reader;

  private TerminalInput(Terminal terminal, LineReader reader) {
    this.terminal = terminal;
    this.reader = reader;
  }

  /** Whether standard input and output are both a terminal (not a pipe or a file). */
  static boolean isAvailable() {
    try {
      TerminalProvider provider = TerminalProvider.load(PROVIDER);
      return provider.isSystemStream(SystemStream.Input)
          && provider.isSystemStream(SystemStream.Output);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Opens the process's terminal.
   *
   * @param history the file that keeps the history across runs, or null to keep none
   */
  static TerminalInput open(Path history, Completer completer) throws IOException {
    Terminal terminal =
        TerminalBuilder.builder().name("quiver").system(true).provider(PROVIDER).build();
    LineReaderBuilder reader =
        LineReaderBuilder.builder()
            .terminal(terminal)
            .appName("quiver")
            .parser(new StatementParser())
            .completer(completer)
            .variable(LineReader.SECONDARY_PROMPT_PATTERN, CONTINUATION)
            .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
            .option(LineReader.Option.CASE_INSENSITIVE, true);
    if (history != null) {
      reader.variable(LineReader.HISTORY_FILE, history);
    }
    return new TerminalInput(terminal, reader.build());
  }

  @Override
  public String read() {
    try {
      return reader.readLine(PROMPT);
    } catch (UserInterruptException e) {
      return "";
    } catch (EndOfFileException e) {
      return null;
    }
  }

  @Override
  public CtrlCInterrupter interruptOnCtrlC() {
    return CtrlCInterrupter.on(terminal);
  }

  /** Saves the history and gives the terminal back in the modes it had. */
  @Override
  public void close() {
    try {
      reader.getHistory().save();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot save the shell's history to " + reader.getVariable(LineReader.HISTORY_FILE), e);
    } finally {
      try {
        terminal.close();
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot restore the terminal's modes", e);
      }
    }
  }
}
