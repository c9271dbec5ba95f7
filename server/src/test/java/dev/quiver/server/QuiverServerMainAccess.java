package dev.quiver.server;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** What each flag of {@code quiver serve} sets, read from the command itself. */
public final class QuiverServerMainAccess {
  private QuiverServerMainAccess() {}

  /**
   * Every flag of {@code quiver serve} that sets a property, with the property: each flag is given
   * alone (with a value of its type) and the property it adds is the one it sets. Flags that set
   * none (help, version, --verbose) are left out.
   */
  public static Map<String, String> flagsToProperties() {
    Map<String, Object> none = new QuiverServerMain().properties();
    Map<String, String> flags = new LinkedHashMap<>();
    for (OptionSpec option : new CommandLine(new QuiverServerMain()).getCommandSpec().options()) {
      String flag = option.longestName();
      QuiverServerMain main = new QuiverServerMain();
      List<String> args =
          option.arity().max() == 0 ? List.of(flag) : List.of(flag, sample(option, flag));
      new CommandLine(main).parseArgs(args.toArray(String[]::new));
      Map<String, Object> set = main.properties();
      set.keySet().removeAll(none.keySet());
      set.keySet().stream().findFirst().ifPresent(property -> flags.put(flag, property));
    }
    return flags;
  }

  private static String sample(OptionSpec option, String flag) {
    Class<?> type = option.type();
    if (type == Integer.class || type == int.class) {
      return "1";
    }
    if (Map.class.isAssignableFrom(type)) {
      return "name=value";
    }
    return flag.equals("--host") ? "127.0.0.1" : "value";
  }
}
