package dev.quiver.client.cli;

import static java.util.Objects.requireNonNull;

/**
 * What the shell's dot commands set: how results print ({@code .mode}), whether each statement's
 * scan statistics follow it ({@code .stats}) and whether its run time does ({@code .timer}).
 */
record ShellSettings(OutputFormat mode, boolean stats, boolean timer) {
  /** Tables, no statistics, run times shown. */
  static final ShellSettings DEFAULT = new ShellSettings(OutputFormat.TABLE, false, true);

  ShellSettings {
    requireNonNull(mode, "mode is null");
    if (mode == OutputFormat.ARROW) {
      throw new IllegalArgumentException("Cannot print Arrow IPC in the shell");
    }
  }

  ShellSettings withMode(OutputFormat mode) {
    return new ShellSettings(mode, stats, timer);
  }

  ShellSettings withStats(boolean stats) {
    return new ShellSettings(mode, stats, timer);
  }

  ShellSettings withTimer(boolean timer) {
    return new ShellSettings(mode, stats, timer);
  }
}
