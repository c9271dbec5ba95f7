package dev.quiver.parquet.predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.Test;

/** Literals are coerced to a column's type without changing any row's result. */
class ComparisonsTest {
  private static final Field INT = field("k", new ArrowType.Int(32, true));
  private static final Field UINT8 = field("u", new ArrowType.Int(8, false));
  private static final Field DECIMAL = field("amount", new ArrowType.Decimal(12, 2, 128));
  private static final Field DATE = field("day", new ArrowType.Date(DateUnit.DAY));
  private static final Field MICROS =
      field("ts", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null));
  private static final Field REAL =
      field("f", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE));
  private static final Field TEXT = field("s", ArrowType.Utf8.INSTANCE);

  private static Field field(String name, ArrowType type) {
    return new Field(name, FieldType.nullable(type), null);
  }

  private static Predicate compare(Field field, ComparisonOperator op, Object literal) {
    return Comparisons.compare(field, op, literal);
  }

  @Test
  void aFractionOnAnIntegerColumnMovesTheBoundToTheNextInteger() {
    assertThat(compare(INT, ComparisonOperator.GT, new BigDecimal("2.5")))
        .isEqualTo(new Comparison("k", ComparisonOperator.GT, 2L));
    assertThat(compare(INT, ComparisonOperator.GE, new BigDecimal("2.5")))
        .isEqualTo(new Comparison("k", ComparisonOperator.GE, 3L));
    assertThat(compare(INT, ComparisonOperator.LT, new BigDecimal("-2.5")))
        .isEqualTo(new Comparison("k", ComparisonOperator.LT, -2L));
  }

  @Test
  void equalityWithAValueTheColumnCannotHoldIsFalseForEveryNonNullRow() {
    Predicate never = compare(INT, ComparisonOperator.EQ, new BigDecimal("2.5"));
    assertThat(never)
        .isEqualTo(new Comparison("k", ComparisonOperator.GT, (long) Integer.MAX_VALUE));
    assertThat(Predicates.evaluate(never, 2L)).isFalse();
    assertThat(Predicates.evaluate(never, null)).isNull();
    Predicate always = compare(UINT8, ComparisonOperator.NE, -1);
    assertThat(Predicates.evaluate(always, 0L)).isTrue();
    assertThat(Predicates.evaluate(always, 255L)).isTrue();
  }

  @Test
  void aLiteralBeyondTheRangeIsTrueOrFalseForEveryValue() {
    assertThat(compare(UINT8, ComparisonOperator.LT, 300))
        .isEqualTo(new Comparison("u", ComparisonOperator.GE, 0L));
    assertThat(compare(UINT8, ComparisonOperator.GT, 255))
        .isEqualTo(new Comparison("u", ComparisonOperator.GT, 255L));
  }

  @Test
  void decimalsCompareAtTheColumnsScale() {
    assertThat(compare(DECIMAL, ComparisonOperator.GE, new BigDecimal("10.005")))
        .isEqualTo(new Comparison("amount", ComparisonOperator.GE, new BigDecimal("10.01")));
    assertThat(compare(DECIMAL, ComparisonOperator.EQ, 7))
        .isEqualTo(new Comparison("amount", ComparisonOperator.EQ, new BigDecimal("7.00")));
  }

  @Test
  void datesAndTimestampsTakeTemporalLiteralsOrStringsThatParse() {
    long day = LocalDate.of(2024, 7, 1).toEpochDay();
    assertThat(compare(DATE, ComparisonOperator.GE, "2024-07-01"))
        .isEqualTo(new Comparison("day", ComparisonOperator.GE, day));
    assertThat(compare(DATE, ComparisonOperator.GT, LocalDateTime.of(2024, 7, 1, 12, 0)))
        .as("a day later than noon of July 1 is July 2 or later")
        .isEqualTo(new Comparison("day", ComparisonOperator.GT, day));
    assertThat(compare(MICROS, ComparisonOperator.LT, "2024-07-01 00:00:00.0000015"))
        .isEqualTo(new Comparison("ts", ComparisonOperator.LT, (day * 86_400L) * 1_000_000L + 2));
  }

  @Test
  void aRealColumnComparesWithTheLiteralRoundedToReal() {
    assertThat(compare(REAL, ComparisonOperator.EQ, new BigDecimal("0.1")))
        .isEqualTo(new Comparison("f", ComparisonOperator.EQ, (double) 0.1f));
  }

  @Test
  void inWithNullNeverMakesARowTrueThatWasNotAMatch() {
    Predicate in = Comparisons.in(TEXT, Arrays.asList("a", null));
    assertThat(in)
        .isEqualTo(new Or(List.of(new Comparison("s", ComparisonOperator.EQ, "a"), Constant.NULL)));
    assertThat(Predicates.normalize(new Not(in)))
        .as("NOT (s IN ('a', NULL)) is never TRUE")
        .isEqualTo(Constant.FALSE);
  }

  @Test
  void aLiteralOfTheWrongTypeNamesColumnTypeAndLiteral() {
    assertThatThrownBy(() -> compare(DECIMAL, ComparisonOperator.GT, "abc"))
        .isInstanceOf(PredicateTypeException.class)
        .hasMessage("Cannot compare column amount (DECIMAL(12,2)) with 'abc' (string)");
    assertThatThrownBy(() -> compare(TEXT, ComparisonOperator.EQ, 5))
        .hasMessage("Cannot compare column s (VARCHAR) with 5 (number)");
    assertThatThrownBy(() -> Comparisons.like(INT, "1%", null))
        .hasMessageContaining("LIKE needs a string column, but k is INTEGER");
  }
}
