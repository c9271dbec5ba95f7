package dev.quiver.server.auth;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The datasets each user and each role may read, from a grants file:
 *
 * <pre>{@code
 * users:
 *   ana: [trips, sales]
 *   bob: ["*"]          # every dataset
 * roles:
 *   hr: [salaries]      # a JWT's roles claim names the roles
 * }</pre>
 *
 * A user reads the datasets granted to their name and to any of their roles; nothing else.
 *
 * @param users user name to the datasets granted, {@code *} for all
 * @param roles role to the datasets granted, {@code *} for all
 */
public record Grants(Map<String, Set<String>> users, Map<String, Set<String>> roles) {
  public Grants {
    users = Map.copyOf(users);
    roles = Map.copyOf(roles);
  }

  /**
   * Reads a grants file.
   *
   * @throws IllegalArgumentException naming the file and what in it is wrong
   */
  public static Grants read(Path file) {
    Object document;
    try (Reader reader = Files.newBufferedReader(file)) {
      document = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read the grants file " + file + ": " + e, e);
    } catch (YAMLException e) {
      throw new IllegalArgumentException(
          "The grants file " + file + " is not YAML: " + e.getMessage(), e);
    }
    if (document == null) {
      return new Grants(Map.of(), Map.of());
    }
    if (!(document instanceof Map<?, ?> top)) {
      throw invalid(file, "it must be a mapping with users: and roles:");
    }
    for (Object key : top.keySet()) {
      if (!"users".equals(key) && !"roles".equals(key)) {
        throw invalid(file, "unknown key '" + key + "' (users: and roles: are known)");
      }
    }
    return new Grants(section(file, top, "users"), section(file, top, "roles"));
  }

  private static Map<String, Set<String>> section(Path file, Map<?, ?> top, String name) {
    Object value = top.get(name);
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof Map<?, ?> entries)) {
      throw invalid(file, name + ": must map names to lists of datasets");
    }
    Map<String, Set<String>> granted = new LinkedHashMap<>();
    entries.forEach(
        (who, datasets) -> {
          if (!(datasets instanceof List<?> list)
              || list.stream().anyMatch(d -> !(d instanceof String))) {
            throw invalid(file, name + "." + who + " must be a list of dataset names");
          }
          granted.put(
              String.valueOf(who), Set.copyOf(list.stream().map(String.class::cast).toList()));
        });
    return granted;
  }

  private static IllegalArgumentException invalid(Path file, String what) {
    return new IllegalArgumentException("The grants file " + file + " is invalid: " + what);
  }

  /** Whether {@code user}, holding {@code userRoles}, may read {@code dataset}. */
  public boolean allows(String user, Set<String> userRoles, String dataset) {
    if (grants(users.get(user), dataset)) {
      return true;
    }
    for (String role : userRoles) {
      if (grants(roles.get(role), dataset)) {
        return true;
      }
    }
    return false;
  }

  private static boolean grants(Set<String> datasets, String dataset) {
    return datasets != null && (datasets.contains("*") || datasets.contains(dataset));
  }
}
