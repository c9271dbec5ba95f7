package dev.quiver.server.physical;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.exec.JoinType;
import dev.quiver.server.expression.Expression;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Joins two inputs: a hash table is built over {@code build} by its keys and each batch of {@code
 * probe} looks its rows up in it; without keys every build row is a candidate for every probe row
 * (a nested-loop join). A candidate pair is a match when its keys are equal (NULL equals nothing,
 * unless the key is null-safe, as {@code IS NOT DISTINCT FROM}) and {@code condition}, if any, is
 * TRUE. Its output is the probe's columns, then the build's (only the probe's for a semi or anti
 * join), spread as the probe is.
 *
 * @param probeKeys the probe's key columns
 * @param buildKeys the build's key columns, pairwise equal to {@code probeKeys}, of the same types
 * @param nullSafe for each key, whether NULL matches NULL
 * @param condition a BOOLEAN expression over the probe's columns then the build's that a matching
 *     pair must also satisfy; null for none
 * @param buildRows how many rows the build side is estimated to have when planned; -1 when unknown
 */
public record HashJoin(
    PhysicalPlan probe,
    PhysicalPlan build,
    JoinType type,
    List<Integer> probeKeys,
    List<Integer> buildKeys,
    List<Boolean> nullSafe,
    Expression condition,
    long buildRows)
    implements PhysicalPlan {
  public HashJoin {
    requireNonNull(probe, "probe is null");
    requireNonNull(build, "build is null");
    requireNonNull(type, "type is null");
    probeKeys = List.copyOf(probeKeys);
    buildKeys = List.copyOf(buildKeys);
    nullSafe = nullSafe == null ? null : List.copyOf(nullSafe);
    if (probeKeys.size() != buildKeys.size()) {
      throw new IllegalArgumentException(
          "A hash join needs as many build keys as probe keys: " + probeKeys + " and " + buildKeys);
    }
    if (nullSafe == null) {
      nullSafe = probeKeys.stream().map(k -> false).toList();
    } else if (nullSafe.size() != probeKeys.size()) {
      throw new IllegalArgumentException("One null-safe flag per key: " + nullSafe);
    }
  }

  /** An equi-join on {@code probeKeys = buildKeys}, with no other condition. */
  public HashJoin(
      PhysicalPlan probe,
      PhysicalPlan build,
      JoinType type,
      List<Integer> probeKeys,
      List<Integer> buildKeys) {
    this(probe, build, type, probeKeys, buildKeys, null, null, -1);
    if (probeKeys.isEmpty()) {
      throw new IllegalArgumentException("An equi-join needs at least one key");
    }
  }

  @Override
  public List<PhysicalPlan> children() {
    return List.of(probe, build);
  }

  @Override
  public Schema schema() {
    boolean probeNulls = type == JoinType.RIGHT || type == JoinType.FULL;
    boolean buildNulls = type == JoinType.LEFT || type == JoinType.FULL;
    List<Field> fields = new ArrayList<>();
    probe.schema().getFields().forEach(f -> fields.add(probeNulls ? nullable(f) : f));
    if (type.outputsBuild()) {
      build.schema().getFields().forEach(f -> fields.add(buildNulls ? nullable(f) : f));
    }
    return new Schema(fields);
  }

  private static Field nullable(Field field) {
    if (field.isNullable()) {
      return field;
    }
    FieldType type = field.getFieldType();
    return new Field(
        field.getName(),
        new FieldType(true, type.getType(), type.getDictionary(), type.getMetadata()),
        field.getChildren());
  }

  @Override
  public Distribution distribution() {
    return probe.distribution();
  }

  @Override
  public PhysicalPlan withChildren(List<PhysicalPlan> children) {
    Operators.requireCount(this, children, 2);
    return new HashJoin(
        children.get(0),
        children.get(1),
        type,
        probeKeys,
        buildKeys,
        nullSafe,
        condition,
        buildRows);
  }
}
