package dev.quiver.server.physical;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.query.QueryNodes;
import dev.quiver.server.sql.Query;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * What {@code EXPLAIN} answers: a query lowered to its physical plan ({@link PhysicalPlanner}) for
 * the nodes it would run on now, cut into stages with their tasks ({@link StagePlanner}), printed
 * ({@link PlanPrinter}). The nodes and their splits are chosen by the same code a running query
 * uses ({@link QueryNodes}).
 */
public final class Explainer {
  private final Cluster cluster;
  private final Set<String> sharedDatasets;
  private final long splitBytes;
  private final long gatherThresholdBytes;

  /**
   * @param sharedDatasets datasets configured as shared (any node reads any file)
   * @param splitBytes compressed bytes of row groups per split
   * @param gatherThresholdBytes partial groups up to this size are gathered, not repartitioned
   */
  public Explainer(
      Cluster cluster, Set<String> sharedDatasets, long splitBytes, long gatherThresholdBytes) {
    this.cluster = requireNonNull(cluster, "cluster is null");
    this.sharedDatasets = Set.copyOf(sharedDatasets);
    this.splitBytes = splitBytes;
    this.gatherThresholdBytes = gatherThresholdBytes;
  }

  /** The stages of {@code query}, in the order they run. */
  public List<Stage> stages(Query query) {
    QueryNodes nodes =
        QueryNodes.of("explain-" + UUID.randomUUID(), query, cluster, sharedDatasets);
    PhysicalPlan plan =
        new PhysicalPlanner(nodes.members().size(), gatherThresholdBytes).lower(query);
    nodes = nodes.withShares(plan, query.sql(), splitBytes);
    return new StagePlanner(nodes, cluster.self()).cut(plan);
  }

  /** {@code query}'s plan as {@code EXPLAIN} prints it, one line per row. */
  public List<String> explain(Query query) {
    return PlanPrinter.print(stages(query), cluster.self());
  }
}
