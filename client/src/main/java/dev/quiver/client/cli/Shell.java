package dev.quiver.client.cli;

import static java.util.Objects.requireNonNull;

import dev.quiver.client.BatchStream;
import dev.quiver.client.DatasetInfo;
import dev.quiver.client.QuiverClient;
import java.io.PrintStream;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The SQL shell ({@code quiver shell}): reads statements and dot commands, runs each statement on
 * the node and prints its rows as {@code quiver sql} prints them in the chosen mode, then, as set,
 * its scan statistics and its run time. A failed statement prints the one line {@code quiver sql}
 * would and the shell goes on; Ctrl-C while a statement runs cancels it.
 */
final class Shell {
  private final QuiverClient client;
  private final BufferAllocator root;
  private final URI server;
  private final PrintStream out;
  private final PrintStream err;
  private ShellSettings settings = ShellSettings.DEFAULT;
  private boolean failed;

  /**
   * @param root the allocator the output writers take children of
   * @param server the node's address, as failures name it
   */
  Shell(QuiverClient client, BufferAllocator root, URI server, PrintStream out, PrintStream err) {
    this.client = requireNonNull(client, "client is null");
    this.root = requireNonNull(root, "root is null");
    this.server = requireNonNull(server, "server is null");
    this.out = requireNonNull(out, "out is null");
    this.err = requireNonNull(err, "err is null");
  }

  /**
   * Runs what {@code input} gives until {@code .quit} or the end of input.
   *
   * @return whether every statement and command succeeded (a cancelled one counts as a success)
   */
  boolean run(ShellInput input) {
    for (String text = input.read(); text != null; text = input.read()) {
      if (StatementSplitter.isDotCommand(text)) {
        if (!command(text.strip(), input)) {
          break;
        }
        continue;
      }
      for (String statement : StatementSplitter.split(text)) {
        if (!attempt(input, () -> query(statement))) {
          break;
        }
      }
    }
    return !failed;
  }

  /** Something the shell runs that may fail or be cancelled. */
  private interface Work {
    void run() throws Exception;
  }

  /**
   * Runs {@code work} with Ctrl-C cancelling it; prints its failure, if any, as one line.
   *
   * @return false if Ctrl-C cancelled it: the rest of what was typed with it does not run
   */
  private boolean attempt(ShellInput input, Work work) {
    try (CtrlCInterrupter ctrlC = input.interruptOnCtrlC()) {
      try {
        work.run();
        return true;
      } catch (Exception e) {
        out.flush();
        if (ctrlC.wasPressed()) {
          err.println("Query cancelled.");
          err.flush();
          return false;
        }
        fail(ErrorLine.of(e, server));
        return true;
      }
    }
  }

  private void query(String sql) throws Exception {
    long started = System.nanoTime();
    try (BatchStream batches = client.query(sql)) {
      ResultPrinter.allRows(settings.mode()).print(batches, out, root, new Progress(null));
      if (settings.stats()) {
        StatisticsPrinter.print(batches.statistics(), err);
      }
    }
    if (settings.timer()) {
      out.printf(Locale.ROOT, "Run Time: %.3f s%n", (System.nanoTime() - started) / 1e9);
    }
    out.flush();
  }

  /**
   * Runs a dot command.
   *
   * @return false for {@code .quit} and {@code .exit}
   */
  private boolean command(String line, ShellInput input) {
    List<String> words = Arrays.asList(line.split("\\s+"));
    Optional<DotCommand> command = DotCommand.named(words.get(0));
    if (command.isEmpty()) {
      fail("quiver: Unknown command '" + words.get(0) + "'; .help lists the commands");
      return true;
    }
    List<String> arguments = words.subList(1, words.size());
    switch (command.get()) {
      case HELP -> out.print(DotCommand.help());
      case TABLES -> attempt(input, () -> CatalogPrinter.datasets(client.datasets(), out));
      case SCHEMA -> attempt(input, () -> schema(arguments));
      case MODE -> mode(arguments);
      case STATS ->
          onOff(".stats", arguments, settings.stats())
              .ifPresent(on -> settings = settings.withStats(on));
      case TIMER ->
          onOff(".timer", arguments, settings.timer())
              .ifPresent(on -> settings = settings.withTimer(on));
      case QUIT, EXIT -> {
        return false;
      }
    }
    out.flush();
    return true;
  }

  private void schema(List<String> arguments) {
    if (arguments.size() > 1) {
      fail("quiver: .schema takes one dataset name, not " + arguments.size());
      return;
    }
    if (arguments.size() == 1) {
      CatalogPrinter.columns(client.schema(arguments.get(0)), out);
      return;
    }
    List<DatasetInfo> datasets = client.datasets();
    for (int i = 0; i < datasets.size(); i++) {
      out.println((i == 0 ? "" : System.lineSeparator()) + datasets.get(i).name() + ":");
      CatalogPrinter.columns(datasets.get(i).schema(), out);
    }
  }

  private void mode(List<String> arguments) {
    if (arguments.isEmpty()) {
      out.println("mode " + settings.mode().name().toLowerCase(Locale.ROOT));
      return;
    }
    String mode = arguments.get(0).toLowerCase(Locale.ROOT);
    if (arguments.size() > 1 || !List.of("table", "csv", "json").contains(mode)) {
      fail(
          "quiver: Unknown mode '"
              + String.join(" ", arguments)
              + "'; modes are: table, csv, json");
      return;
    }
    settings = settings.withMode(OutputFormat.valueOf(mode.toUpperCase(Locale.ROOT)));
  }

  /** {@code on} or {@code off} from a toggle's arguments; without one, prints the setting. */
  private Optional<Boolean> onOff(String command, List<String> arguments, boolean current) {
    if (arguments.isEmpty()) {
      out.println(command.substring(1) + " " + (current ? "on" : "off"));
      return Optional.empty();
    }
    if (arguments.size() == 1 && arguments.get(0).equalsIgnoreCase("on")) {
      return Optional.of(true);
    }
    if (arguments.size() == 1 && arguments.get(0).equalsIgnoreCase("off")) {
      return Optional.of(false);
    }
    fail("quiver: " + command + " takes on or off, not '" + String.join(" ", arguments) + "'");
    return Optional.empty();
  }

  private void fail(String message) {
    failed = true;
    out.flush();
    err.println(message);
    err.flush();
  }
}
