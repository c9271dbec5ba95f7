package dev.quiver.server.physical;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.query.QueryNodes;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flight.Location;

/**
 * Cuts a physical plan at its exchanges into stages and gives each its tasks. The input of every
 * exchange becomes a stage of its own, whose output the exchange spreads; in the stage that reads
 * it, a {@link RemoteSource} takes the input's place. Stages are numbered in the order they can
 * run: every stage after those it reads, the last one giving the answer.
 *
 * <p>Tasks: a stage that scans runs on every node of the query (over shared storage, each with the
 * splits dealt to it; else each over its own files); one after a gather runs once, on the
 * coordinator; one after a hash or range repartition runs once per partition, partition {@code p}
 * on the query's node {@code p}.
 */
public final class StagePlanner {
  private final QueryNodes nodes;
  private final Location coordinator;

  /**
   * @param nodes the nodes the query runs on and, over shared storage, the splits each reads
   * @param coordinator the node that answers the client
   */
  public StagePlanner(QueryNodes nodes, Location coordinator) {
    this.nodes = requireNonNull(nodes, "nodes is null");
    this.coordinator = requireNonNull(coordinator, "coordinator is null");
  }

  /** The stages of {@code plan}, in the order they run. */
  public List<Stage> cut(PhysicalPlan plan) {
    List<Stage> stages = new ArrayList<>();
    PhysicalPlan last = cut(plan, stages);
    stages.add(stage(stages.size() + 1, last, null));
    return List.copyOf(stages);
  }

  private PhysicalPlan cut(PhysicalPlan plan, List<Stage> stages) {
    List<PhysicalPlan> children = new ArrayList<>();
    for (PhysicalPlan child : plan.children()) {
      children.add(cut(child, stages));
    }
    if (plan instanceof Exchange exchange) {
      int id = stages.size() + 1;
      Exchange reading =
          new Exchange(
              new RemoteSource(id, exchange.schema(), exchange.target()),
              exchange.target(),
              exchange.gatherBelowBytes());
      stages.add(stage(id, children.get(0), reading));
      return reading;
    }
    return plan.withChildren(children);
  }

  private Stage stage(int id, PhysicalPlan plan, Exchange output) {
    List<Integer> inputs = new ArrayList<>();
    collectInputs(plan, inputs);
    return new Stage(id, plan, tasks(plan), output, inputs);
  }

  private static void collectInputs(PhysicalPlan plan, List<Integer> inputs) {
    if (plan instanceof RemoteSource source) {
      inputs.add(source.stage());
    }
    for (PhysicalPlan child : plan.children()) {
      collectInputs(child, inputs);
    }
  }

  private List<Task> tasks(PhysicalPlan plan) {
    List<Location> members = nodes.members();
    List<Task> tasks = new ArrayList<>();
    if (scans(plan)) {
      for (int m = 0; m < members.size(); m++) {
        tasks.add(new Task(m, members.get(m), nodes.share(m, Scan.of(plan))));
      }
      return tasks;
    }
    Distribution input = inputDistribution(plan);
    if (input != null
        && (input.kind() == Distribution.Kind.HASH || input.kind() == Distribution.Kind.RANGE)) {
      for (int p = 0; p < input.partitions(); p++) {
        tasks.add(new Task(p, members.get(p % members.size()), List.of()));
      }
      return tasks;
    }
    return List.of(new Task(0, coordinator, List.of()));
  }

  private static boolean scans(PhysicalPlan plan) {
    return plan instanceof Scan || plan.children().stream().anyMatch(StagePlanner::scans);
  }

  /** How the first stage input a plan reads arrives; null when it reads none. */
  private static Distribution inputDistribution(PhysicalPlan plan) {
    if (plan instanceof RemoteSource source) {
      return source.distribution();
    }
    for (PhysicalPlan child : plan.children()) {
      Distribution found = inputDistribution(child);
      if (found != null) {
        return found;
      }
    }
    return null;
  }
}
