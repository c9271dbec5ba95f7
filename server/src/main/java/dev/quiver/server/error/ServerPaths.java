package dev.quiver.server.error;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Takes where a node keeps its files out of a message meant for a client: every path or storage URI
 * ({@code /data/trips/2024-01.parquet}, {@code file:/...}, {@code s3://bucket/prefix/...}, {@code
 * hdfs://...}) becomes its last name ({@code 2024-01.parquet}), with the partition folders just
 * above it ({@code part=0/data_0.parquet}), which still tells the user which file failed. Node
 * addresses ({@code grpc://host:port}) are left as they are. The full message stays in the server
 * log.
 *
 * <p>One pass over the message, word by word (a word ends at a space, a quote, a bracket, a comma
 * or a semicolon), so a message of any length costs time in proportion to it and no stack.
 */
public final class ServerPaths {
  private static final Set<String> STORAGE_SCHEMES =
      Set.of("file", "s3", "s3a", "s3n", "gs", "hdfs", "abfs", "abfss", "wasb", "wasbs", "viewfs");
  private static final String WORD_START = " \t\r\n'\"([=:,";
  private static final String WORD_END = " \t\r\n'\"()],;";

  private ServerPaths() {}

  /** {@code message} with every path replaced by its last name; null stays null. */
  public static String redact(String message) {
    if (message == null || message.indexOf('/') < 0) {
      return message;
    }
    StringBuilder out = new StringBuilder(message.length());
    int i = 0;
    while (i < message.length()) {
      boolean starts = i == 0 || WORD_START.indexOf(message.charAt(i - 1)) >= 0;
      int end = i;
      while (end < message.length() && WORD_END.indexOf(message.charAt(end)) < 0) {
        end++;
      }
      if (end == i) {
        out.append(message.charAt(i));
        i++;
        continue;
      }
      String word = message.substring(i, end);
      out.append(starts ? lastNames(word) : word);
      i = end;
    }
    return out.toString();
  }

  /** The word's last name (and the partition folders above it) if it is a path, else the word. */
  private static String lastNames(String word) {
    String path = word;
    boolean uri = false;
    int colon = word.indexOf(':');
    if (colon > 0 && word.startsWith(":/", colon)) {
      if (!STORAGE_SCHEMES.contains(word.substring(0, colon).toLowerCase(Locale.ROOT))) {
        return word; // grpc://host:port and other addresses stay
      }
      path = word.substring(colon + 1);
      while (path.startsWith("/")) {
        path = path.substring(1);
      }
      int authority = path.indexOf('/');
      if (authority < 0) {
        return word;
      }
      path = path.substring(authority);
      uri = true;
    } else if (!word.startsWith("/")) {
      return word;
    }
    boolean trailingSlash = path.endsWith("/");
    List<String> names = new ArrayList<>();
    for (String name : path.split("/")) {
      if (!name.isEmpty()) {
        names.add(name);
      }
    }
    if (names.size() < 2 && !uri) {
      return word; // a single name after a slash is no directory: "a / b", "/etc" stay
    }
    if (names.isEmpty()) {
      return word;
    }
    int first = names.size() - 1;
    while (first > 0 && names.get(first - 1).contains("=")) {
      first--; // partition folders, key=value, stay with the file they hold
    }
    return String.join("/", names.subList(first, names.size())) + (trailingSlash ? "/" : "");
  }
}
