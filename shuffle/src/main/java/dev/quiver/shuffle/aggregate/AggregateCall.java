package dev.quiver.shuffle.aggregate;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * One aggregate of a query, e.g. {@code SUM(a)}.
 *
 * @param function what to compute
 * @param input the column it reads; null for {@code COUNT(*)}
 * @param name the result column's name
 */
public record AggregateCall(AggregateFunction function, Field input, String name) {
  static final ArrowType BIGINT = new ArrowType.Int(64, true);
  static final ArrowType DOUBLE = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);

  /** Largest precision of a decimal sum, as in DuckDB and most SQL engines. */
  public static final int MAX_DECIMAL_PRECISION = 38;

  public AggregateCall {
    requireNonNull(function, "function is null");
    requireNonNull(name, "name is null");
    if ((input == null) != (function == AggregateFunction.COUNT_STAR)) {
      throw new IllegalArgumentException(
          function + " needs " + (input == null ? "a" : "no") + " column");
    }
    if (input != null) {
      String problem = unsupported(function, input.getType());
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
    }
  }

  /**
   * Why {@code function} cannot read a column of {@code type}, or null when it can. SUM and AVG
   * take numbers and decimals; MIN and MAX also dates, times, timestamps, booleans and strings;
   * COUNT takes anything.
   */
  public static String unsupported(AggregateFunction function, ArrowType type) {
    boolean numeric =
        type instanceof ArrowType.Int
            || type instanceof ArrowType.FloatingPoint
            || type instanceof ArrowType.Decimal;
    boolean ordered =
        numeric
            || type instanceof ArrowType.Date
            || type instanceof ArrowType.Time
            || type instanceof ArrowType.Timestamp
            || type instanceof ArrowType.Bool
            || type instanceof ArrowType.Utf8
            || type instanceof ArrowType.Binary;
    boolean ok =
        switch (function) {
          case SUM, AVG ->
              numeric && !(type instanceof ArrowType.Decimal d && d.getBitWidth() != 128);
          case MIN, MAX ->
              ordered && !(type instanceof ArrowType.Decimal d && d.getBitWidth() != 128);
          case COUNT, COUNT_STAR -> true;
        };
    return ok ? null : function.sqlName() + " cannot take a column of type " + type;
  }

  /**
   * The result column: BIGINT for counts and integer sums, DECIMAL(38, s) for decimal sums, DOUBLE
   * for AVG and float sums, the input's type for MIN and MAX.
   */
  public Field resultField() {
    return switch (function) {
      case COUNT, COUNT_STAR -> new Field(name, FieldType.notNullable(BIGINT), null);
      case AVG -> Field.nullable(name, DOUBLE);
      case MIN, MAX -> new Field(name, FieldType.nullable(input.getType()), null);
      case SUM -> Field.nullable(name, sumType(input.getType()));
    };
  }

  /** The columns of this aggregate's partial state, named {@code prefix.<part>}. */
  List<Field> stateFields(String prefix) {
    return switch (function) {
      case COUNT, COUNT_STAR ->
          List.of(new Field(prefix + ".count", FieldType.notNullable(BIGINT), null));
      case MIN -> List.of(Field.nullable(prefix + ".min", input.getType()));
      case MAX -> List.of(Field.nullable(prefix + ".max", input.getType()));
      case SUM -> List.of(Field.nullable(prefix + ".sum", sumType(input.getType())));
      case AVG ->
          List.of(
              Field.nullable(
                  prefix + ".sum",
                  input.getType() instanceof ArrowType.Int
                      ? new ArrowType.Decimal(MAX_DECIMAL_PRECISION, 0, 128)
                      : sumType(input.getType())),
              new Field(prefix + ".count", FieldType.notNullable(BIGINT), null));
    };
  }

  static ArrowType sumType(ArrowType input) {
    if (input instanceof ArrowType.Decimal decimal) {
      return new ArrowType.Decimal(MAX_DECIMAL_PRECISION, decimal.getScale(), 128);
    }
    return input instanceof ArrowType.FloatingPoint ? DOUBLE : BIGINT;
  }

  @Override
  public String toString() {
    return function.sqlName() + "(" + (input == null ? "*" : input.getName()) + ")";
  }
}
