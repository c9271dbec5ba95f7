package dev.quiver.server.auth;

import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which users may read which datasets. With a {@link Grants} file, a user reads only the datasets
 * granted to their name or roles. A dataset with a rule ({@code quiver.auth-datasets.<name>: "ana,
 * bob, role:analyst"}) is readable by the users it names and by users holding a role it names
 * (roles come from a JWT's roles claim); {@code *} names every user. A dataset without a rule is
 * readable by every authenticated user. Both apply when both are given. The cluster's own nodes
 * read everything, and a node that authenticates nobody has no rules to apply.
 *
 * <p>A dataset a user may not read is absent from their listings and metadata, and naming it is
 * PERMISSION_DENIED. Thread-safe.
 */
public final class Access {
  private static final Access OPEN = new Access(Map.of());

  private final Map<String, Set<String>> readers;
  private final Grants grants;
  private final Map<String, Set<String>> roles = new ConcurrentHashMap<>();

  /**
   * @param rules dataset name to its readers: user names, {@code role:NAME}, or {@code *}
   */
  public Access(Map<String, String> rules) {
    this(rules, null);
  }

  /**
   * @param rules dataset name to its readers: user names, {@code role:NAME}, or {@code *}
   * @param grants the datasets each user and role may read, or null to grant every dataset
   */
  public Access(Map<String, String> rules, Grants grants) {
    this.grants = grants;
    Map<String, Set<String>> parsed = new LinkedHashMap<>();
    rules.forEach(
        (dataset, list) -> {
          Set<String> names = new LinkedHashSet<>();
          for (String name : list.split(",")) {
            if (!name.isBlank()) {
              names.add(name.strip());
            }
          }
          parsed.put(dataset, Set.copyOf(names));
        });
    this.readers = Map.copyOf(parsed);
  }

  /** Every caller reads every dataset. */
  public static Access open() {
    return OPEN;
  }

  /** Remembers the roles {@code user}'s latest token carries. */
  public void roles(String user, Set<String> userRoles) {
    roles.put(user, Set.copyOf(userRoles));
  }

  /** Whether the current {@link Caller}, if any, may read {@code dataset}. */
  public boolean mayRead(String dataset) {
    return Caller.current().map(user -> mayRead(user, dataset)).orElse(true);
  }

  /** Whether {@code user} may read {@code dataset}. */
  public boolean mayRead(String user, String dataset) {
    if (NodeAuthenticator.PEER.equals(user)) {
      return true;
    }
    Set<String> userRoles = roles.getOrDefault(user, Set.of());
    if (grants != null && !grants.allows(user, userRoles, dataset)) {
      return false;
    }
    Set<String> allowed = readers.get(dataset);
    if (allowed == null || allowed.contains("*")) {
      return true;
    }
    if (allowed.contains(user)) {
      return true;
    }
    for (String role : userRoles) {
      if (allowed.contains("role:" + role)) {
        return true;
      }
    }
    return false;
  }

  /**
   * @throws QuiverException PERMISSION_DENIED naming the user and the dataset, if the current
   *     caller may not read it
   */
  public void check(String dataset) {
    if (!mayRead(dataset)) {
      throw new QuiverException(
          ErrorCode.PERMISSION_DENIED,
          "User '" + Caller.current().orElse("") + "' may not read dataset '" + dataset + "'");
    }
  }
}
