package dev.quiver.server.error;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes where a node keeps its files out of a message meant for a client: every path or storage URI
 * ({@code /data/trips/2024-01.parquet}, {@code file:/...}, {@code s3://bucket/prefix/...}, {@code
 * hdfs://...}) becomes its last name ({@code 2024-01.parquet}), with the partition folders just
 * above it ({@code part=0/data_0.parquet}), which still tells the user which file failed. Node
 * addresses ({@code grpc://host:port}) are left as they are. The full message stays in the server
 * log.
 */
public final class ServerPaths {
  /**
   * A storage URI, or an absolute path of at least two names, that starts a word (after the start,
   * a space, a quote, a bracket, '=' or ':'); group 1 is its last name with the partition folders
   * ({@code key=value}) just above it.
   */
  private static final Pattern PATH =
      Pattern.compile(
          "(?<=^|[\\s'\"(\\[=:,])"
              + "(?:(?:file|s3a?|s3n|gs|hdfs|abfss?|wasbs?|viewfs):/+[^\\s'\"/]*|/[^\\s'\"/:]+)"
              + "(?:/[^\\s'\"/]+)*?"
              + "/((?:[^\\s'\"/=]+=[^\\s'\"/]*/)*[^\\s'\"/),;\\]]+)"
              + "(?=$|[\\s'\"),;\\]]|/$|/[\\s'\"])");

  private ServerPaths() {}

  /** {@code message} with every path replaced by its last name; null stays null. */
  public static String redact(String message) {
    if (message == null || message.indexOf('/') < 0) {
      return message;
    }
    Matcher matcher = PATH.matcher(message);
    StringBuilder redacted = new StringBuilder(message.length());
    while (matcher.find()) {
      matcher.appendReplacement(redacted, Matcher.quoteReplacement(matcher.group(1)));
    }
    matcher.appendTail(redacted);
    return redacted.toString();
  }
}
