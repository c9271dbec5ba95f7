package dev.quiver.server.flightsql;

import dev.quiver.parquet.predicate.Like;

/** Flight SQL's search patterns ({@code %} any run, {@code _} one character, {@code \} escape). */
final class Patterns {
  private Patterns() {}

  /** Whether {@code name} matches {@code pattern}; no pattern (null or empty) matches all. */
  static boolean matches(String pattern, String name) {
    if (pattern == null || pattern.isEmpty()) {
      return true;
    }
    return name != null && new Like("name", pattern, '\\').toRegex().matcher(name).matches();
  }
}
