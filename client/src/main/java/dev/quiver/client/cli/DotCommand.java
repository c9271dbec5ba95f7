package dev.quiver.client.cli;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The shell's own commands, typed on one line that starts with a dot and needs no {@code ;}. */
enum DotCommand {
  HELP(".help", "", "show these commands"),
  TABLES(".tables", "", "list the datasets, as quiver list does"),
  SCHEMA(".schema", "[NAME]", "a dataset's columns (every dataset's without NAME)"),
  MODE(".mode", "[table|csv|json]", "how results print (default table)"),
  STATS(".stats", "[on|off]", "print the scan statistics after each statement (default off)"),
  TIMER(".timer", "[on|off]", "print each statement's run time (default on)"),
  QUIT(".quit", "", "leave the shell (also Ctrl-D)"),
  EXIT(".exit", "", "leave the shell");

  /** Every command's name, for completion. */
  static final List<String> NAMES = Arrays.stream(values()).map(c -> c.name).toList();

  private final String name;
  private final String arguments;
  private final String description;

  DotCommand(String name, String arguments, String description) {
    this.name = name;
    this.arguments = arguments;
    this.description = description;
  }

  /** The command called {@code name} ({@code .tables}), if there is one. */
  static Optional<DotCommand> named(String name) {
    return Arrays.stream(values()).filter(c -> c.name.equals(name)).findFirst();
  }

  /** One line per command, with its arguments and what it does. */
  static String help() {
    StringBuilder help = new StringBuilder();
    for (DotCommand command : values()) {
      help.append(
          String.format("%-26s %s%n", command.name + " " + command.arguments, command.description));
    }
    help.append(
        String.format(
            "%-26s %s%n", "SELECT ... ;", "run a statement; it may span lines until its ';'"));
    help.append(String.format("%-26s %s%n", "Ctrl-C", "cancel the running statement"));
    return help.toString();
  }
}
