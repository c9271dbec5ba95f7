package dev.quiver.parquet.predicate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Normalization pushes NOT to the leaves; binding folds what a file holds constant. */
class PredicatesTest {
  private static final Comparison A_LT_5 = new Comparison("a", ComparisonOperator.LT, 5L);
  private static final Comparison B_EQ_X = new Comparison("b", ComparisonOperator.EQ, "x");

  @Test
  void notIsPushedToTheLeavesByDeMorganAndNegatedOperators() {
    Predicate predicate = new Not(new And(List.of(A_LT_5, new Not(new IsNull("c")))));
    assertThat(Predicates.normalize(predicate))
        .isEqualTo(
            new Or(List.of(new Comparison("a", ComparisonOperator.GE, 5L), new IsNull("c"))));
  }

  @Test
  void nestedAndsFlattenAndTrueTermsDisappear() {
    Predicate predicate = new And(List.of(Constant.TRUE, new And(List.of(A_LT_5, B_EQ_X))));
    assertThat(Predicates.normalize(predicate)).isEqualTo(new And(List.of(A_LT_5, B_EQ_X)));
  }

  @Test
  void bindingAPartitionValueDecidesItsTerms() {
    Predicate predicate =
        Predicates.normalize(
            new And(List.of(new Comparison("year", ComparisonOperator.EQ, 2024L), A_LT_5)));
    assertThat(Predicates.bind(predicate, Map.of("year", 2024L))).isEqualTo(A_LT_5);
    assertThat(Predicates.bind(predicate, Map.of("year", 2023L))).isEqualTo(Constant.FALSE);
  }

  @Test
  void aMissingColumnBindsAsNull() {
    Map<String, Object> missing = new HashMap<>();
    missing.put("b", null);
    Predicate either = Predicates.normalize(new Or(List.of(B_EQ_X, new IsNull("b"))));
    assertThat(Predicates.bind(either, missing)).isEqualTo(Constant.TRUE);
    Predicate notEqual = Predicates.normalize(new Not(B_EQ_X));
    assertThat(Predicates.bind(notEqual, missing))
        .as("NULL <> 'x' is NULL, not TRUE")
        .isEqualTo(Constant.FALSE);
  }
}
