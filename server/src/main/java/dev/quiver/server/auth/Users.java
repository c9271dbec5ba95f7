package dev.quiver.server.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.auth2.CallHeaderAuthenticator.AuthResult;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * The users a node accepts, from a password file: one {@code name:bcrypt-hash} per line, {@code #}
 * comments and blank lines ignored (make a hash with {@code htpasswd -nbBC 10 name password}).
 */
public final class Users {
  private static final BCryptPasswordEncoder BCRYPT = new BCryptPasswordEncoder();

  /** Compared against when the user is unknown, so both failures cost the same time. */
  private static final String NOBODY = BCRYPT.encode("nobody has this password");

  private final Map<String, String> hashes;

  private Users(Map<String, String> hashes) {
    this.hashes = Map.copyOf(hashes);
  }

  /**
   * Reads a password file.
   *
   * @throws IllegalArgumentException naming the file and line of a malformed entry
   */
  public static Users read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the users file " + file, e);
    }
    Map<String, String> hashes = new LinkedHashMap<>();
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      String hash = colon < 0 ? "" : line.substring(colon + 1);
      if (colon <= 0 || !hash.matches("\\$2[aby]?\\$\\d\\d\\$.{53}")) {
        throw new IllegalArgumentException(
            "Users file " + file + ", line " + (n + 1) + ": expected name:bcrypt-hash");
      }
      hashes.put(line.substring(0, colon), hash.replaceFirst("^\\$2y\\$", "\\$2a\\$"));
    }
    return new Users(hashes);
  }

  /** No users: every name and password is refused (tokens of an OIDC issuer only). */
  public static Users none() {
    return new Users(Map.of());
  }

  /** Names of the users. */
  public List<String> names() {
    return List.copyOf(hashes.keySet());
  }

  /**
   * The identity of a user whose password matches.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException UNAUTHENTICATED, saying nothing of which
   *     part was wrong
   */
  public AuthResult validate(String user, String password) {
    String hash = hashes.get(user);
    boolean matches = BCRYPT.matches(password, hash == null ? NOBODY : hash);
    if (hash == null || !matches) {
      throw CallStatus.UNAUTHENTICATED
          .withDescription("Invalid user name or password")
          .toRuntimeException();
    }
    return () -> user;
  }
}
