package dev.quiver.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.server.QuiverServerMainAccess;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every setting of a node is in docs/configuration.md, with the flag of {@code quiver serve} that
 * sets it and, where the table gives a plain value, the default the node really has (as Trino's
 * configuration tests check theirs). A setting added without its line, a flag the table does not
 * name, or a default changed in one place only fails here.
 */
class ConfigurationDocsTest {
  private static final Path DOCS = Path.of("..", "docs", "configuration.md");

  /** The table's rows by property, e.g. {@code quiver.port} → [flag, default, meaning]. */
  private static Map<String, List<String>> rows() throws IOException {
    Map<String, List<String>> rows = new LinkedHashMap<>();
    Pattern row = Pattern.compile("^\\| `(quiver\\.[a-z0-9.<>-]+)` \\|([^|]*)\\|([^|]*)\\|(.*)$");
    for (String line : Files.readAllLines(DOCS)) {
      Matcher matcher = row.matcher(line);
      if (matcher.matches()) {
        rows.put(
            matcher.group(1),
            List.of(matcher.group(2).strip(), matcher.group(3).strip(), matcher.group(4).strip()));
      }
    }
    return rows;
  }

  /** {@code queryMemoryLimit} → {@code quiver.query-memory-limit}; maps as {@code quiver.x.<}. */
  private static String property(Method setter) {
    String name = setter.getName().substring(3);
    String kebab = name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    return "quiver." + kebab;
  }

  private static List<Method> setters() {
    List<Method> setters = new ArrayList<>();
    for (Method method : QuiverConfig.class.getMethods()) {
      if (method.getName().startsWith("set")
          && method.getParameterCount() == 1
          && method.getDeclaringClass() == QuiverConfig.class) {
        setters.add(method);
      }
    }
    return setters;
  }

  @Test
  void everySettingHasItsLineInTheConfigurationTable() throws IOException {
    Map<String, List<String>> rows = rows();
    List<String> missing = new ArrayList<>();
    for (Method setter : setters()) {
      String property = property(setter);
      boolean map = Map.class.isAssignableFrom(setter.getParameterTypes()[0]);
      boolean documented =
          map
              ? rows.keySet().stream().anyMatch(p -> p.startsWith(property + ".<"))
              : rows.containsKey(property);
      if (!documented) {
        missing.add(property + (map ? ".<name>" : ""));
      }
    }
    assertThat(missing).as("settings without a line in docs/configuration.md").isEmpty();
  }

  @Test
  void everyFlagOfServeIsNamedOnTheLineOfTheSettingItSets() throws IOException {
    Map<String, List<String>> rows = rows();
    Map<String, String> flags = QuiverServerMainAccess.flagsToProperties();
    assertThat(flags).isNotEmpty();
    List<String> unnamed = new ArrayList<>();
    for (Map.Entry<String, String> flag : flags.entrySet()) {
      String property = flag.getValue();
      List<String> row =
          rows.entrySet().stream()
              .filter(
                  e ->
                      e.getKey().equals(property)
                          || e.getKey().endsWith(".<name>")
                              && property.startsWith(e.getKey().replace("<name>", ""))
                          || e.getKey().endsWith(".<key>")
                              && property.startsWith(e.getKey().replace("<key>", "")))
              .map(Map.Entry::getValue)
              .findFirst()
              .orElse(null);
      if (row == null || !row.get(0).contains(flag.getKey())) {
        unnamed.add(flag.getKey() + " sets " + property);
      }
    }
    assertThat(unnamed).as("flags the table does not name on their setting's line").isEmpty();
  }

  @Test
  void everyPlainDefaultInTheTableIsTheNodesDefault() throws Exception {
    QuiverConfig defaults = new QuiverConfig();
    Map<String, List<String>> rows = rows();
    List<String> wrong = new ArrayList<>();
    int checked = 0;
    for (Method setter : setters()) {
      String property = property(setter);
      List<String> row = rows.get(property);
      if (row == null) {
        continue;
      }
      Matcher plain = Pattern.compile("^`([^`]+)`$").matcher(row.get(1));
      if (!plain.matches()) {
        continue; // prose ("none", "half the JVM's heap", ...): not a single value
      }
      Object actual = getter(setter).invoke(defaults);
      Object documented = parse(plain.group(1), setter.getParameterTypes()[0]);
      if (documented == null) {
        continue;
      }
      checked++;
      if (!documented.equals(actual)) {
        wrong.add(property + ": docs say " + plain.group(1) + ", the node has " + actual);
      }
    }
    assertThat(checked).as("plain defaults checked").isGreaterThan(20);
    assertThat(wrong).as("defaults that differ from docs/configuration.md").isEmpty();
  }

  private static Method getter(Method setter) throws NoSuchMethodException {
    String name = setter.getName().substring(3);
    try {
      return QuiverConfig.class.getMethod("get" + name);
    } catch (NoSuchMethodException e) {
      return QuiverConfig.class.getMethod("is" + name);
    }
  }

  /** A documented value as the setting's type; null when it is not one such a type reads. */
  private static Object parse(String text, Class<?> type) {
    try {
      if (type == int.class || type == Integer.class) {
        return Integer.parseInt(text.replace(",", ""));
      }
      if (type == long.class || type == Long.class) {
        return bytes(text);
      }
      if (type == boolean.class || type == Boolean.class) {
        return text.equals("true") ? Boolean.TRUE : text.equals("false") ? Boolean.FALSE : null;
      }
      if (type == Duration.class) {
        return duration(text);
      }
      if (type == String.class) {
        // Paths are written as a reader's machine has them.
        return text.replace("<java.io.tmpdir>", System.getProperty("java.io.tmpdir"))
            .replaceFirst("^~", System.getProperty("user.home"));
      }
    } catch (NumberFormatException e) {
      return null;
    }
    return null;
  }

  private static Long bytes(String text) {
    Matcher size = Pattern.compile("^(\\d+)(KB|MB|GB)?$").matcher(text.replace(",", ""));
    if (!size.matches()) {
      return null;
    }
    long value = Long.parseLong(size.group(1));
    String unit = size.group(2);
    return unit == null ? value : value << (unit.equals("KB") ? 10 : unit.equals("MB") ? 20 : 30);
  }

  private static Duration duration(String text) {
    Matcher time = Pattern.compile("^(\\d+)(ms|s|m|h)?(?: \\(.*\\))?$").matcher(text);
    if (!time.matches()) {
      return null;
    }
    long value = Long.parseLong(time.group(1));
    String unit = time.group(2) == null ? "s" : time.group(2);
    return switch (unit) {
      case "ms" -> Duration.ofMillis(value);
      case "m" -> Duration.ofMinutes(value);
      case "h" -> Duration.ofHours(value);
      default -> Duration.ofSeconds(value);
    };
  }
}
