package dev.quiver.client.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Statements read from a pipe or a file ({@code ./quiver shell < queries.sql}): no prompts, no
 * history, lines gathered until they end a statement. At the end of input, what was left without a
 * {@code ;} runs as one last statement.
 */
final class PipedInput implements ShellInput {
  private final BufferedReader lines;

  PipedInput(InputStream in) {
    this.lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
  }

  @Override
  public String read() {
    StringBuilder text = new StringBuilder();
    try {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (text.length() == 0 && StatementSplitter.isDotCommand(line)) {
          return line;
        }
        text.append(line).append('\n');
        if (StatementSplitter.isComplete(text.toString())) {
          return text.toString();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the shell's input", e);
    }
    return text.length() == 0 ? null : text.toString();
  }

  @Override
  public CtrlCInterrupter interruptOnCtrlC() {
    return CtrlCInterrupter.none();
  }

  @Override
  public void close() {}
}
