package dev.quiver.server.flight;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.server.catalog.Catalog;
import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.cluster.Placement;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.physical.PhysicalPlan;
import dev.quiver.server.physical.PhysicalPlanner;
import dev.quiver.server.physical.Stage;
import dev.quiver.server.physical.StagePlanner;
import dev.quiver.server.query.QueryNodes;
import dev.quiver.server.sql.PlanCodec;
import dev.quiver.server.sql.Query;
import dev.quiver.server.sql.QueryPlan;
import dev.quiver.server.sql.QueryPlanner;
import dev.quiver.server.ticket.ScanTicket;
import java.util.List;
import org.apache.arrow.flight.Location;

/**
 * The two stages of a gathered scan, planned on the node that answers it from the query its parts
 * read: the parts' stage (each node's top-N or first rows) and the answer's (the merge), in that
 * order.
 */
final class GatheredStages {
  private final Catalog catalog;
  private final QueryPlanner planner;
  private final PlanCodec codec;
  private final Cluster cluster;

  GatheredStages(Catalog catalog, QueryPlanner planner, Cluster cluster) {
    this.catalog = requireNonNull(catalog, "catalog is null");
    this.planner = requireNonNull(planner, "planner is null");
    this.cluster = requireNonNull(cluster, "cluster is null");
    this.codec = new PlanCodec(catalog);
  }

  /** The codec stage plans travel in. */
  PlanCodec codec() {
    return codec;
  }

  /**
   * The stages of the query {@code part} reads, over parts on {@code locations}.
   *
   * @throws QuiverException INVALID_ARGUMENT when the query is not one a gathered scan answers
   */
  List<Stage> of(ScanTicket part, List<Location> locations) {
    Dataset dataset = catalog.require(part.dataset());
    Query query =
        part.sql() == null ? QueryPlan.columns(dataset, part.columns()) : planner.plan(part.sql());
    if (!(query instanceof QueryPlan)) {
      throw notGathered();
    }
    PhysicalPlan plan = new PhysicalPlanner(Math.max(2, locations.size()), 0).lower(query);
    List<Location> nodes = locations.stream().distinct().toList();
    List<Stage> stages =
        new StagePlanner(new QueryNodes(Placement.PEER_LOCAL, nodes, null), cluster.self())
            .cut(plan);
    if (stages.size() != 2) {
      throw notGathered();
    }
    return stages;
  }

  private static QuiverException notGathered() {
    return new QuiverException(
        ErrorCode.INVALID_ARGUMENT,
        "The ticket's parts do not read a scan with ORDER BY and LIMIT, or LIMIT: it is not one"
            + " this cluster issued for a gathered scan");
  }
}
