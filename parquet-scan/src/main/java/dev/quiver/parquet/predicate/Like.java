package dev.quiver.parquet.predicate;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * {@code column LIKE pattern} on a string column: {@code %} matches any run of characters, {@code
 * _} any one character, and the escape character (if any) makes the next character literal.
 */
public record Like(String column, String pattern, Character escape) implements Predicate, Leaf {
  public Like {
    requireNonNull(column, "column is null");
    requireNonNull(pattern, "pattern is null");
  }

  /**
   * The literal text every match starts with: {@code "abc"} for {@code 'abc%'}; the whole pattern
   * when it has no wildcard.
   */
  public String prefix() {
    StringBuilder prefix = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (escape != null && c == escape && i + 1 < pattern.length()) {
        prefix.append(pattern.charAt(++i));
      } else if (c == '%' || c == '_') {
        return prefix.toString();
      } else {
        prefix.append(c);
      }
    }
    return prefix.toString();
  }

  /** Whether the pattern is a literal prefix followed by one trailing {@code %}. */
  public boolean isPrefixPattern() {
    String prefix = prefix();
    int literalLength = pattern.length() - 1;
    return pattern.endsWith("%")
        && escape == null
        && prefix.length() == literalLength
        && prefix.indexOf('%') < 0
        && prefix.indexOf('_') < 0;
  }

  /** The pattern as a regular expression over the whole value. */
  public Pattern toRegex() {
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (escape != null && c == escape && i + 1 < pattern.length()) {
        regex.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
      } else if (c == '%') {
        regex.append(".*");
      } else if (c == '_') {
        regex.append('.');
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }

  @Override
  public String toString() {
    return column + " LIKE '" + pattern.replace("'", "''") + "'";
  }
}
