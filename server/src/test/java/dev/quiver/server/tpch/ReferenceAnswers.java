package dev.quiver.server.tpch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * io.trino.tpch's answers to the 22 queries at scale factor 0.01 ({@code
 * io/trino/tpch/queries/qN.result} in its jar): rows of '|'-separated text in the query's order,
 * numbers written to as many decimals as the engine that made them kept.
 */
final class ReferenceAnswers {
  /** The scale factor the answers are for. */
  static final double SCALE = 0.01;

  private ReferenceAnswers() {}

  /** Query {@code number}'s rows, each split into its values. */
  static List<List<String>> of(int number) {
    String resource = "/io/trino/tpch/queries/q" + number + ".result";
    try (InputStream in = ReferenceAnswers.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Cannot find " + resource + " on the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .filter(line -> !line.startsWith("--") && !line.isEmpty())
          .map(line -> line.endsWith("|") ? line.substring(0, line.length() - 1) : line)
          .map(line -> Arrays.asList(line.split("\\|", -1)))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Whether {@code value}, as DuckDB returns it, agrees with {@code reference}: a number less than
   * one unit of the reference's last written digit away (0.0347 agrees with "0" and 25.5779 with
   * "25.58", but 94 not with "93"), anything else by its text ("null" for NULL).
   */
  static boolean agrees(Object value, String reference) {
    if (value == null) {
      return reference.equals("null");
    }
    if (value instanceof Number number && isNumber(reference)) {
      BigDecimal expected = new BigDecimal(reference);
      BigDecimal actual = new BigDecimal(number.toString());
      BigDecimal unit = BigDecimal.ONE.movePointLeft(Math.max(expected.scale(), 0));
      return actual.subtract(expected).abs().compareTo(unit) < 0;
    }
    return value.toString().equals(reference);
  }

  private static boolean isNumber(String text) {
    try {
      new BigDecimal(text);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
