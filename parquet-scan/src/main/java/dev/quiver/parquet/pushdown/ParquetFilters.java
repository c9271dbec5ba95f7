package dev.quiver.parquet.pushdown;

import dev.quiver.parquet.predicate.And;
import dev.quiver.parquet.predicate.Comparison;
import dev.quiver.parquet.predicate.ComparisonOperator;
import dev.quiver.parquet.predicate.Constant;
import dev.quiver.parquet.predicate.InList;
import dev.quiver.parquet.predicate.IsNull;
import dev.quiver.parquet.predicate.Like;
import dev.quiver.parquet.predicate.Not;
import dev.quiver.parquet.predicate.Or;
import dev.quiver.parquet.predicate.Predicate;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.parquet.filter2.predicate.FilterApi;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.filter2.predicate.Operators;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Translates a normalized predicate into parquet-java's {@link FilterPredicate} for one file, so
 * that its statistics, dictionary, bloom filter and column index filters can prune.
 *
 * <p>The translation may only widen: a leaf it cannot express (INT96 and FLOAT16 columns, {@code
 * NOT LIKE}, values a narrower file column cannot hold) becomes "anything may match", which keeps
 * every row group. parquet-java's {@code notEq} and {@code notIn} also keep nulls, which SQL's
 * {@code <>} and {@code NOT IN} reject: again wider, never narrower. The exact filter runs on the
 * rows after.
 */
public final class ParquetFilters {
  private ParquetFilters() {}

  /**
   * Translates {@code normalized} for a file with {@code fileSchema}.
   *
   * @param normalized bound to the file already: every column it names is in the file
   * @return empty when nothing in the predicate can prune
   */
  public static Optional<FilterPredicate> translate(Predicate normalized, MessageType fileSchema) {
    return Optional.ofNullable(translateOrNull(normalized, fileSchema));
  }

  /**
   * The conjunction or disjunction of {@code terms[from, to)} as a balanced tree, so that thousands
   * of terms do not nest thousands deep (parquet-java's filters visit them recursively).
   */
  private static FilterPredicate balanced(
      List<FilterPredicate> terms, int from, int to, boolean conjunction) {
    if (to - from == 1) {
      return terms.get(from);
    }
    int middle = (from + to) >>> 1;
    FilterPredicate left = balanced(terms, from, middle, conjunction);
    FilterPredicate right = balanced(terms, middle, to, conjunction);
    return conjunction ? FilterApi.and(left, right) : FilterApi.or(left, right);
  }

  /** Null means "cannot prune". */
  private static FilterPredicate translateOrNull(Predicate predicate, MessageType schema) {
    if (predicate instanceof And and) {
      List<FilterPredicate> translated = new ArrayList<>();
      for (Predicate term : and.terms()) {
        FilterPredicate t = translateOrNull(term, schema);
        if (t != null) {
          translated.add(t);
        }
      }
      return translated.isEmpty() ? null : balanced(translated, 0, translated.size(), true);
    }
    if (predicate instanceof Or or) {
      List<FilterPredicate> translated = new ArrayList<>();
      for (Predicate term : or.terms()) {
        FilterPredicate t = translateOrNull(term, schema);
        if (t == null) {
          return null;
        }
        translated.add(t);
      }
      return translated.isEmpty() ? null : balanced(translated, 0, translated.size(), false);
    }
    if (predicate instanceof Constant
        || predicate instanceof Not not && not.term() instanceof Like) {
      return null;
    }
    boolean negated = predicate instanceof Not;
    Predicate leaf = negated ? ((Not) predicate).term() : predicate;
    String name = leafColumn(leaf);
    if (name.contains(".") || !schema.containsField(name)) {
      return null;
    }
    Type type = schema.getType(name);
    if (!type.isPrimitive()) {
      return null;
    }
    ColumnTranslator column = ColumnTranslator.of(name, type.asPrimitiveType());
    if (column == null) {
      return null;
    }
    if (leaf instanceof IsNull) {
      return negated ? column.notNull() : column.isNull();
    }
    if (leaf instanceof Comparison c) {
      return column.compare(c.operator(), c.value());
    }
    if (leaf instanceof InList in) {
      return negated ? column.notIn(in.values()) : column.in(in.values());
    }
    if (leaf instanceof Like like && !negated) {
      return column.startsWith(like.prefix());
    }
    return null;
  }

  private static String leafColumn(Predicate leaf) {
    return ((dev.quiver.parquet.predicate.Leaf) leaf).column();
  }

  /** Builds parquet-java predicates for one column of a physical type. */
  private abstract static class ColumnTranslator {
    static ColumnTranslator of(String name, PrimitiveType type) {
      LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
      return switch (type.getPrimitiveTypeName()) {
        case INT32 ->
            new Ints(
                FilterApi.intColumn(name),
                logical instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation integer
                    && !integer.isSigned());
        case INT64 -> new Longs(FilterApi.longColumn(name));
        case FLOAT -> new Floats(FilterApi.floatColumn(name));
        case DOUBLE -> new Doubles(FilterApi.doubleColumn(name));
        case BOOLEAN -> new Booleans(FilterApi.booleanColumn(name));
        case BINARY -> new Binaries(FilterApi.binaryColumn(name), -1, logical);
        case FIXED_LEN_BYTE_ARRAY ->
            logical instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation
                ? new Binaries(FilterApi.binaryColumn(name), type.getTypeLength(), logical)
                : null;
        case INT96 -> null;
      };
    }

    abstract FilterPredicate isNull();

    abstract FilterPredicate notNull();

    /** Null when the value cannot be expressed in this column's physical type. */
    abstract FilterPredicate compare(ComparisonOperator op, Object value);

    abstract FilterPredicate in(List<Object> values);

    abstract FilterPredicate notIn(List<Object> values);

    FilterPredicate startsWith(String prefix) {
      return null;
    }
  }

  /** A column whose nulls parquet-java can test: every column type. */
  private abstract static class Nullable<
          T extends Comparable<T>, C extends Operators.Column<T> & Operators.SupportsEqNotEq>
      extends ColumnTranslator {
    final C column;

    Nullable(C column) {
      this.column = column;
    }

    @Override
    FilterPredicate isNull() {
      return FilterApi.eq(column, null);
    }

    @Override
    FilterPredicate notNull() {
      return FilterApi.notEq(column, null);
    }
  }

  /**
   * An ordered column whose parquet-java values are of type {@code T}; subclasses convert canonical
   * values.
   */
  private abstract static class Typed<
          T extends Comparable<T>, C extends Operators.Column<T> & Operators.SupportsLtGt>
      extends Nullable<T, C> {
    Typed(C column) {
      super(column);
    }

    /** The physical value, or null when the column cannot hold it. */
    abstract T physical(Object canonical);

    @Override
    FilterPredicate compare(ComparisonOperator op, Object value) {
      T v = physical(value);
      if (v == null) {
        return null;
      }
      return switch (op) {
        case EQ -> FilterApi.eq(column, v);
        case NE -> FilterApi.notEq(column, v);
        case LT -> FilterApi.lt(column, v);
        case LE -> FilterApi.ltEq(column, v);
        case GT -> FilterApi.gt(column, v);
        case GE -> FilterApi.gtEq(column, v);
      };
    }

    @Override
    FilterPredicate in(List<Object> values) {
      Set<T> physical = physicalAll(values);
      return physical == null ? null : FilterApi.in(column, physical);
    }

    @Override
    FilterPredicate notIn(List<Object> values) {
      Set<T> physical = physicalAll(values);
      return physical == null ? null : FilterApi.notIn(column, physical);
    }

    private Set<T> physicalAll(List<Object> values) {
      Set<T> physical = new LinkedHashSet<>();
      for (Object value : values) {
        T v = physical(value);
        if (v == null) {
          return null;
        }
        physical.add(v);
      }
      return physical;
    }
  }

  private static final class Ints extends Typed<Integer, Operators.IntColumn> {
    private final boolean unsigned;

    Ints(Operators.IntColumn column, boolean unsigned) {
      super(column);
      this.unsigned = unsigned;
    }

    @Override
    Integer physical(Object canonical) {
      if (!(canonical instanceof Long) && !(canonical instanceof BigDecimal)) {
        return null;
      }
      long value = canonical instanceof BigDecimal d ? unscaledLong(d) : (Long) canonical;
      // Unsigned 32-bit values arrive as their unsigned value and are stored as the same bits.
      boolean fits =
          unsigned
              ? value >= 0 && value <= 0xFFFF_FFFFL
              : value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE;
      return fits ? (int) value : null;
    }
  }

  private static final class Longs extends Typed<Long, Operators.LongColumn> {
    Longs(Operators.LongColumn column) {
      super(column);
    }

    @Override
    Long physical(Object canonical) {
      if (canonical instanceof BigDecimal d) {
        BigInteger unscaled = d.unscaledValue();
        return unscaled.bitLength() < 64 ? unscaled.longValue() : null;
      }
      return canonical instanceof Long l ? l : null;
    }
  }

  private static long unscaledLong(BigDecimal value) {
    BigInteger unscaled = value.unscaledValue();
    return unscaled.bitLength() < 64 ? unscaled.longValue() : Long.MAX_VALUE;
  }

  private static final class Floats extends Typed<Float, Operators.FloatColumn> {
    Floats(Operators.FloatColumn column) {
      super(column);
    }

    @Override
    Float physical(Object canonical) {
      if (!(canonical instanceof Double d)) {
        return null;
      }
      float f = d.floatValue();
      return f == d ? f : null;
    }
  }

  private static final class Doubles extends Typed<Double, Operators.DoubleColumn> {
    Doubles(Operators.DoubleColumn column) {
      super(column);
    }

    @Override
    Double physical(Object canonical) {
      return canonical instanceof Double d ? d : null;
    }
  }

  private static final class Booleans extends Nullable<Boolean, Operators.BooleanColumn> {
    Booleans(Operators.BooleanColumn column) {
      super(column);
    }

    @Override
    FilterPredicate compare(ComparisonOperator op, Object value) {
      if (!(value instanceof Boolean b)) {
        return null;
      }
      return switch (op) {
        case EQ -> FilterApi.eq(column, b);
        case NE -> FilterApi.notEq(column, b);
        default -> null;
      };
    }

    @Override
    FilterPredicate in(List<Object> values) {
      return null;
    }

    @Override
    FilterPredicate notIn(List<Object> values) {
      return null;
    }
  }

  /** Strings, and decimals stored as big-endian two's complement bytes. */
  private static final class Binaries extends Typed<Binary, Operators.BinaryColumn> {
    private final int fixedLength;
    private final LogicalTypeAnnotation logical;

    Binaries(Operators.BinaryColumn column, int fixedLength, LogicalTypeAnnotation logical) {
      super(column);
      this.fixedLength = fixedLength;
      this.logical = logical;
    }

    @Override
    Binary physical(Object canonical) {
      if (canonical instanceof String s) {
        return logical instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation
            ? null
            : Binary.fromString(s);
      }
      if (canonical instanceof BigDecimal d
          && logical instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation) {
        byte[] bytes = d.unscaledValue().toByteArray();
        if (fixedLength < 0) {
          return Binary.fromConstantByteArray(bytes);
        }
        if (bytes.length > fixedLength) {
          return null;
        }
        byte[] padded = new byte[fixedLength];
        Arrays.fill(padded, 0, fixedLength - bytes.length, (byte) (d.signum() < 0 ? 0xFF : 0));
        System.arraycopy(bytes, 0, padded, fixedLength - bytes.length, bytes.length);
        return Binary.fromConstantByteArray(padded);
      }
      return null;
    }

    @Override
    FilterPredicate startsWith(String prefix) {
      if (prefix.isEmpty()) {
        return null;
      }
      byte[] low = prefix.getBytes(StandardCharsets.UTF_8);
      FilterPredicate atLeast = FilterApi.gtEq(column, Binary.fromConstantByteArray(low));
      byte[] high = successor(low);
      return high == null
          ? atLeast
          : FilterApi.and(atLeast, FilterApi.lt(column, Binary.fromConstantByteArray(high)));
    }

    /** The smallest byte string greater than every string starting with {@code prefix}. */
    private static byte[] successor(byte[] prefix) {
      List<Byte> bytes = new ArrayList<>();
      for (byte b : prefix) {
        bytes.add(b);
      }
      while (!bytes.isEmpty()) {
        int last = bytes.size() - 1;
        int value = bytes.get(last) & 0xFF;
        if (value < 0xFF) {
          bytes.set(last, (byte) (value + 1));
          byte[] result = new byte[bytes.size()];
          for (int i = 0; i < result.length; i++) {
            result[i] = bytes.get(i);
          }
          return result;
        }
        bytes.remove(last);
      }
      return null;
    }
  }
}
