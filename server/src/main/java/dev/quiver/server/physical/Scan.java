package dev.quiver.server.physical;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.parquet.predicate.Predicate;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads {@code columns} of a dataset's files, skipping what {@code filter} rules out (row groups,
 * pages, rows): each task reads the splits it is given, or its node's own files.
 */
public record Scan(Dataset dataset, List<String> columns, Predicate filter)
    implements PhysicalPlan {
  public Scan {
    requireNonNull(dataset, "dataset is null");
    columns = List.copyOf(columns);
    requireNonNull(filter, "filter is null");
  }

  /** The scan in {@code plan}, or null when it has none. */
  public static Scan of(PhysicalPlan plan) {
    if (plan instanceof Scan scan) {
      return scan;
    }
    for (PhysicalPlan child : plan.children()) {
      Scan found = of(child);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  /** Every scan in {@code plan}, in pre-order. */
  public static List<Scan> all(PhysicalPlan plan) {
    List<Scan> scans = new java.util.ArrayList<>();
    collect(plan, scans);
    return scans;
  }

  private static void collect(PhysicalPlan plan, List<Scan> scans) {
    if (plan instanceof Scan scan) {
      scans.add(scan);
    }
    for (PhysicalPlan child : plan.children()) {
      collect(child, scans);
    }
  }

  @Override
  public List<PhysicalPlan> children() {
    return List.of();
  }

  @Override
  public Schema schema() {
    return new Schema(
        columns.stream()
            .map(
                name ->
                    dataset
                        .field(name)
                        .orElseThrow(
                            () ->
                                new IllegalArgumentException(
                                    "Unknown column '" + name + "' of " + dataset.name())))
            .toList());
  }

  @Override
  public Distribution distribution() {
    return Distribution.ANY;
  }

  @Override
  public PhysicalPlan withChildren(List<PhysicalPlan> children) {
    Operators.requireCount(this, children, 0);
    return this;
  }
}
