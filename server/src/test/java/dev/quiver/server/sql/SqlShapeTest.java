package dev.quiver.server.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The shape of SQL text is counted outside quoted text, as the parser will see it. */
class SqlShapeTest {
  @Test
  void logicalComparisonAndArithmeticOperatorsCount() {
    assertThat(SqlShape.of("SELECT a + b * 2 FROM t WHERE a <= 3 AND b <> 4 OR c || 'x' = 'y'"))
        .isEqualTo(new SqlShape(0, 8));
  }

  @Test
  void signsWordsContainingAndOrAndQuotedTextDoNot() {
    assertThat(
            SqlShape.of("SELECT x FROM orders WHERE x IN (-1, -2, +3) ORDER BY android")
                .operators())
        .isEqualTo(1); // only the sign of +3, which the parser also reads as an operator
    assertThat(SqlShape.of("SELECT 'a OR b AND c = d' AS \"x + y\" FROM t").operators()).isZero();
    assertThat(SqlShape.of("SELECT a - -1 FROM t").operators()).isEqualTo(1);
  }

  @Test
  void parenthesesNestOutsideQuotesOnly() {
    assertThat(SqlShape.of("SELECT ((a)) FROM t WHERE b = '((('").depth()).isEqualTo(2);
  }
}
