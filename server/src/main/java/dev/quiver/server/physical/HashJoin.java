package dev.quiver.server.physical;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Joins two inputs on equal keys: a hash table is built over {@code build} and each batch of {@code
 * probe} looks its rows up in it. Its output is the probe's columns, then the build's (only the
 * probe's for a semi or anti join), spread as the probe is.
 *
 * @param probeKeys the probe's key columns
 * @param buildKeys the build's key columns, pairwise equal to {@code probeKeys}
 */
public record HashJoin(
    PhysicalPlan probe,
    PhysicalPlan build,
    JoinType type,
    List<Integer> probeKeys,
    List<Integer> buildKeys)
    implements PhysicalPlan {
  /** Which rows a join hands on. */
  public enum JoinType {
    INNER,
    LEFT,
    RIGHT,
    FULL,
    /** Probe rows with a match, once each. */
    SEMI,
    /** Probe rows without a match. */
    ANTI
  }

  public HashJoin {
    requireNonNull(probe, "probe is null");
    requireNonNull(build, "build is null");
    requireNonNull(type, "type is null");
    probeKeys = List.copyOf(probeKeys);
    buildKeys = List.copyOf(buildKeys);
    if (probeKeys.isEmpty() || probeKeys.size() != buildKeys.size()) {
      throw new IllegalArgumentException(
          "A hash join needs as many build keys as probe keys, at least one: "
              + probeKeys
              + " and "
              + buildKeys);
    }
  }

  @Override
  public List<PhysicalPlan> children() {
    return List.of(probe, build);
  }

  @Override
  public Schema schema() {
    List<Field> fields = new ArrayList<>(probe.schema().getFields());
    if (type != JoinType.SEMI && type != JoinType.ANTI) {
      fields.addAll(build.schema().getFields());
    }
    return new Schema(fields);
  }

  @Override
  public Distribution distribution() {
    return probe.distribution();
  }

  @Override
  public PhysicalPlan withChildren(List<PhysicalPlan> children) {
    Operators.requireCount(this, children, 2);
    return new HashJoin(children.get(0), children.get(1), type, probeKeys, buildKeys);
  }
}
