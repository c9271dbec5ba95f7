package dev.quiver.client.cli;

import dev.quiver.client.DatasetInfo;
import dev.quiver.client.QuiverClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import picocli.CommandLine.Command;

/**
 * {@code quiver shell}: the SQL shell on a terminal, or statements from a pipe without prompts. The
 * history is kept in {@code ~/.quiver/history}.
 */
@Command(
    mixinStandardHelpOptions = true,
    name = "shell",
    description = {
      "An interactive SQL shell: statements end with ';' and may span lines; .help lists the"
          + " dot commands (.tables, .schema, .mode, .stats, .timer, .quit); Ctrl-C cancels the"
          + " running statement, Ctrl-D leaves.",
      "With standard input not a terminal, runs the statements it reads, without prompts, and"
          + " exits 1 if any failed."
    })
final class ShellCommand extends QuiverCli.ClientCommand {
  @Override
  int run(QuiverClient client, BufferAllocator root) throws IOException {
    Shell shell = new Shell(client, root, parent.server, out(), err());
    if (!TerminalInput.isAvailable()) {
      try (PipedInput input = new PipedInput(System.in)) {
        return shell.run(input) ? 0 : QuiverCli.FAILURE;
      }
    }
    ShellCompleter completer =
        new ShellCompleter(() -> client.datasets().stream().map(DatasetInfo::name).toList());
    try (TerminalInput input = TerminalInput.open(historyFile(), completer)) {
      out()
          .println(
              "quiver shell on "
                  + parent.server
                  + ". Statements end with ';'. .help for help, Ctrl-D to leave.");
      shell.run(input);
      return 0;
    }
  }

  /** {@code ~/.quiver/history}, its folder made if missing; null (no history) if it cannot be. */
  private Path historyFile() {
    Path folder = Path.of(System.getProperty("user.home"), ".quiver");
    try {
      Files.createDirectories(folder);
      return folder.resolve("history");
    } catch (IOException e) {
      err().println("quiver: Cannot create " + folder + " (" + e + "); the history is not kept");
      return null;
    }
  }
}
