package dev.quiver.server.expression;

import dev.quiver.parquet.predicate.Like;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** String functions; lengths and positions count characters (code points), not bytes. */
final class Strings {
  private Strings() {}

  private static Column map(Column input, java.util.function.UnaryOperator<String> f) {
    Column out = Column.allocate(Expression.VARCHAR, input.size);
    out.nullsFrom(input);
    for (int i = 0; i < input.size; i++) {
      if (!input.isNull(i)) {
        out.objects[i] = f.apply((String) input.objects[i]);
      }
    }
    return out;
  }

  static Column lower(Column input) {
    return map(input, s -> s.toLowerCase(Locale.ROOT));
  }

  static Column upper(Column input) {
    return map(input, s -> s.toUpperCase(Locale.ROOT));
  }

  static Column trim(Column input) {
    return map(input, s -> s.strip());
  }

  static Column charLength(Column input) {
    Column out = Column.allocate(Expression.BIGINT, input.size);
    out.nullsFrom(input);
    for (int i = 0; i < input.size; i++) {
      if (!input.isNull(i)) {
        String s = (String) input.objects[i];
        out.longs[i] = s.codePointCount(0, s.length());
      }
    }
    return out;
  }

  static Column octetLength(Column input) {
    Column out = Column.allocate(Expression.BIGINT, input.size);
    out.nullsFrom(input);
    for (int i = 0; i < input.size; i++) {
      if (!input.isNull(i)) {
        out.longs[i] = utf8Length((String) input.objects[i]);
      }
    }
    return out;
  }

  private static long utf8Length(String s) {
    long bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /**
   * DuckDB's {@code regexp_replace}: the first match of {@code pattern} replaced, or every match
   * with option {@code g}; {@code i} ignores case. In {@code replacement}, {@code \0} to {@code \9}
   * are the match and its groups, {@code \\} a backslash.
   *
   * @throws IllegalArgumentException naming the pattern or the option if either is not valid
   */
  static Column regexpReplace(Column input, String pattern, String replacement, String options) {
    boolean global = false;
    int flags = 0;
    for (char option : options.toCharArray()) {
      switch (option) {
        case 'g' -> global = true;
        case 'i' -> flags |= Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
        case 'c' -> flags &= ~(Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
        case 's' -> flags |= Pattern.DOTALL;
        default ->
            throw new IllegalArgumentException(
                "regexp_replace option '" + option + "' is not one of g, i, c, s");
      }
    }
    Pattern compiled;
    try {
      compiled = Pattern.compile(pattern, flags);
    } catch (java.util.regex.PatternSyntaxException e) {
      throw new IllegalArgumentException(
          "Invalid regular expression '" + pattern + "': " + e.getDescription());
    }
    String javaReplacement = javaReplacement(replacement);
    boolean all = global;
    return map(
        input,
        s -> {
          java.util.regex.Matcher matcher = compiled.matcher(s);
          return all ? matcher.replaceAll(javaReplacement) : matcher.replaceFirst(javaReplacement);
        });
  }

  /** An RE2 replacement ({@code \1}) in Java's notation ({@code $1}). */
  private static String javaReplacement(String replacement) {
    StringBuilder out = new StringBuilder(replacement.length() + 4);
    for (int i = 0; i < replacement.length(); i++) {
      char c = replacement.charAt(i);
      if (c == '\\' && i + 1 < replacement.length()) {
        char next = replacement.charAt(++i);
        if (Character.isDigit(next)) {
          out.append('$').append(next);
        } else {
          out.append('\\').append(next);
        }
      } else if (c == '$') {
        out.append("\\$");
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * SQL's SUBSTRING: characters from {@code start} (1-based, may be below 1) for {@code length}.
   */
  static Column substring(Column input, Column start, Column length) {
    Column out = Column.allocate(Expression.VARCHAR, input.size);
    out.nullsFrom(input);
    out.nullsFrom(start);
    if (length != null) {
      out.nullsFrom(length);
    }
    Column from = Casts.cast(start, Expression.BIGINT);
    Column count = length == null ? null : Casts.cast(length, Expression.BIGINT);
    for (int i = 0; i < input.size; i++) {
      if (out.isNull(i)) {
        continue;
      }
      String s = (String) input.objects[i];
      int[] codePoints = s.codePoints().toArray();
      long first = from.longs[i];
      long end = count == null ? Long.MAX_VALUE : first + count.longs[i];
      if (count != null && count.longs[i] < 0) {
        throw new IllegalArgumentException("SUBSTRING length must not be negative");
      }
      int begin = (int) Math.max(0, Math.min(codePoints.length, first - 1));
      int stop = (int) Math.max(begin, Math.min(codePoints.length, end - 1));
      out.objects[i] = new String(codePoints, begin, stop - begin);
    }
    return out;
  }

  static Column concat(List<Column> operands) {
    int size = operands.get(0).size;
    Column out = Column.allocate(Expression.VARCHAR, size);
    List<Column> texts =
        operands.stream()
            .map(
                c ->
                    c.type instanceof org.apache.arrow.vector.types.pojo.ArrowType.Utf8
                        ? c
                        : Casts.cast(c, Expression.VARCHAR))
            .toList();
    for (Column text : texts) {
      out.nullsFrom(text);
    }
    for (int i = 0; i < size; i++) {
      if (out.isNull(i)) {
        continue;
      }
      StringBuilder builder = new StringBuilder();
      for (Column text : texts) {
        builder.append((String) text.objects[i]);
      }
      out.objects[i] = builder.toString();
    }
    return out;
  }

  /** {@code input LIKE pattern [ESCAPE escape]} with a constant pattern. */
  static Column like(Column input, String pattern, Character escape) {
    Pattern regex = new Like("value", pattern, escape).toRegex();
    Column out = Column.allocate(Expression.BOOLEAN, input.size);
    out.nullsFrom(input);
    for (int i = 0; i < input.size; i++) {
      if (!input.isNull(i)) {
        out.longs[i] = regex.matcher((String) input.objects[i]).matches() ? 1 : 0;
      }
    }
    return out;
  }
}
