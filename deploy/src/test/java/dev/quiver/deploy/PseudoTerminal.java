package dev.quiver.deploy;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A program run on a pseudo-terminal, as a person at a terminal runs it. util-linux's {@code
 * script} makes the terminal (160 columns, 50 rows): what {@link #type} sends reaches the program
 * as keys, so Ctrl-C ({@code "\u0003"}) becomes SIGINT when the terminal is in its usual mode, and
 * {@link #awaitScreen} reads what the program wrote, without escape sequences and carriage returns.
 */
final class PseudoTerminal implements AutoCloseable {
  private static final Pattern ESCAPES =
      Pattern.compile("\u001B\\[[0-?]*[ -/]*[@-~]|\u001B\\][^\u0007]*\u0007|\u001B[=>78]|\r");

  private final Process process;
  private final StringBuilder written = new StringBuilder();
  private int mark;

  private PseudoTerminal(Process process) {
    this.process = process;
    Thread reader = new Thread(this::readScreen, "pseudo-terminal-screen");
    reader.setDaemon(true);
    reader.start();
  }

  /** Why no pseudo-terminal can be made here; empty when one can. */
  static Optional<String> unavailable() {
    try {
      Process probe =
          new ProcessBuilder("script", "-qec", "test -t 0 && test -t 1", "/dev/null")
              .redirectErrorStream(true)
              .start();
      probe.getOutputStream().close();
      String said = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!probe.waitFor(30, TimeUnit.SECONDS)) {
        probe.destroyForcibly();
        return Optional.of("util-linux's script did not make a pseudo-terminal within 30 s");
      }
      return probe.exitValue() == 0
          ? Optional.empty()
          : Optional.of(
              "util-linux's script cannot make a pseudo-terminal here (exit "
                  + probe.exitValue()
                  + "): "
                  + said.strip());
    } catch (IOException e) {
      return Optional.of("No util-linux script to make a pseudo-terminal with: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("Interrupted while probing for a pseudo-terminal");
    }
  }

  /** Runs {@code command} (each word quoted for the shell) on a new pseudo-terminal. */
  static PseudoTerminal start(List<String> command, Map<String, String> environment)
      throws IOException {
    String line =
        command.stream()
            .map(word -> "'" + word.replace("'", "'\\''") + "'")
            .collect(Collectors.joining(" "));
    ProcessBuilder builder =
        new ProcessBuilder("script", "-qfec", "stty cols 160 rows 50 && exec " + line, "/dev/null")
            .redirectErrorStream(true);
    builder.environment().putAll(environment);
    return new PseudoTerminal(builder.start());
  }

  private void readScreen() {
    char[] chunk = new char[8192];
    try (Reader screen = new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)) {
      for (int read = screen.read(chunk); read >= 0; read = screen.read(chunk)) {
        synchronized (written) {
          written.append(chunk, 0, read);
        }
      }
    } catch (IOException e) {
      // The terminal closed: the screen has all it will get.
    }
  }

  /** Sends {@code keys} as if typed: {@code "\r"} is Enter, {@code "\u0003"} Ctrl-C. */
  void type(String keys) throws IOException {
    OutputStream keyboard = process.getOutputStream();
    keyboard.write(keys.getBytes(StandardCharsets.UTF_8));
    keyboard.flush();
  }

  /**
   * Waits until {@code text} appears on the screen after what earlier calls returned, and returns
   * the screen from there up to and including {@code text}.
   *
   * @throws AssertionError naming the screen when it does not appear within {@code timeout}
   */
  String awaitScreen(String text, Duration timeout) {
    try {
      await()
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(50))
          .until(() -> screen().indexOf(text, mark) >= 0);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "'"
              + text
              + "' did not appear within "
              + timeout
              + "; the screen since the last wait:\n"
              + screen().substring(Math.min(mark, screen().length())),
          e);
    }
    String screen = screen();
    int end = screen.indexOf(text, mark) + text.length();
    String shown = screen.substring(mark, end);
    mark = end;
    return shown;
  }

  /** Everything the program wrote, without escape sequences and carriage returns. */
  String screen() {
    synchronized (written) {
      return ESCAPES.matcher(written).replaceAll("");
    }
  }

  /** The program's exit code, once it exits within {@code timeout}. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(
          "The program did not exit within " + timeout + "; the screen:\n" + screen());
    }
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
