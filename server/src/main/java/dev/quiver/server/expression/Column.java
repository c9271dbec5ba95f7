package dev.quiver.server.expression;

import static java.util.Objects.requireNonNull;

import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * The values of one expression over one batch, held in Java arrays so kernels loop over primitives.
 *
 * <p>Values are kept in one of three representations, chosen by {@link Representation#of}: {@code
 * longs} for integers, booleans (0/1), dates (days since the epoch), times (microseconds of the
 * day) and timestamps (microseconds since the epoch); {@code doubles} for floating point; {@code
 * objects} for decimals ({@link java.math.BigDecimal}) and strings ({@link String}). {@code nulls}
 * is null when no value is null.
 */
public final class Column {
  final ArrowType type;
  final int size;
  final long[] longs;
  final double[] doubles;
  final Object[] objects;
  boolean[] nulls;

  private Column(ArrowType type, int size, long[] longs, double[] doubles, Object[] objects) {
    this.type = requireNonNull(type, "type is null");
    this.size = size;
    this.longs = longs;
    this.doubles = doubles;
    this.objects = objects;
  }

  /** An empty column of {@code size} values of {@code type}, all non-null until set. */
  static Column allocate(ArrowType type, int size) {
    return switch (Representation.of(type)) {
      case LONG -> new Column(type, size, new long[size], null, null);
      case DOUBLE -> new Column(type, size, null, new double[size], null);
      case OBJECT -> new Column(type, size, null, null, new Object[size]);
    };
  }

  public ArrowType type() {
    return type;
  }

  public int size() {
    return size;
  }

  public boolean isNull(int row) {
    return nulls != null && nulls[row];
  }

  void setNull(int row) {
    if (nulls == null) {
      nulls = new boolean[size];
    }
    nulls[row] = true;
  }

  /** Copies the null flags of {@code from} (same size) into this column. */
  void nullsFrom(Column from) {
    if (from.nulls != null) {
      for (int i = 0; i < size; i++) {
        if (from.nulls[i]) {
          setNull(i);
        }
      }
    }
  }

  /** Whether row {@code row} of a BOOLEAN column is TRUE (not FALSE, not NULL). */
  public boolean isTrue(int row) {
    return !isNull(row) && longs[row] != 0;
  }

  /**
   * The value at {@code row} of a column held as {@code long}s ({@link Representation#LONG}); any
   * value for a null.
   */
  public long longAt(int row) {
    return longs[row];
  }

  /** The value at {@code row} of a floating point column; any value for a null. */
  public double doubleAt(int row) {
    return doubles[row];
  }

  /** The value at {@code row} in its representation's boxed form, or null. */
  public Object get(int row) {
    if (isNull(row)) {
      return null;
    }
    return switch (Representation.of(type)) {
      case LONG -> longs[row];
      case DOUBLE -> doubles[row];
      case OBJECT -> objects[row];
    };
  }

  /**
   * Compares the non-null value at {@code row} with the non-null value at {@code otherRow} of a
   * column of the same type: numbers by value (NaN last), strings by code point.
   */
  public int compare(int row, Column other, int otherRow) {
    if (longs != null) {
      return Long.compare(longs[row], other.longs[otherRow]);
    }
    if (doubles != null) {
      return Comparison.compareDoubles(doubles[row], other.doubles[otherRow]);
    }
    Object x = objects[row];
    Object y = other.objects[otherRow];
    if (x instanceof java.math.BigDecimal a) {
      return a.compareTo((java.math.BigDecimal) y);
    }
    return Comparison.compareText((String) x, (String) y);
  }

  /** How a type's values are held. */
  public enum Representation {
    LONG,
    DOUBLE,
    OBJECT;

    public static Representation of(ArrowType type) {
      if (type instanceof ArrowType.FloatingPoint) {
        return DOUBLE;
      }
      if (type instanceof ArrowType.Decimal || type instanceof ArrowType.Utf8) {
        return OBJECT;
      }
      if (type instanceof ArrowType.Int
          || type instanceof ArrowType.Bool
          || type instanceof ArrowType.Date
          || type instanceof ArrowType.Time
          || type instanceof ArrowType.Timestamp) {
        return LONG;
      }
      throw new IllegalArgumentException("Cannot compute with values of type " + type);
    }
  }
}
