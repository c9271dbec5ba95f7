package dev.quiver.server.physical;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A part of a physical plan that runs without moving data between nodes, once per task: the plan
 * between one exchange (or the scans) and the next. Its {@link RemoteSource}s read the stages it
 * depends on.
 *
 * @param id its number; stages run in increasing order, the last gives the answer
 * @param plan what each task runs
 * @param tasks where it runs, one task per partition
 * @param output how its output is spread for the stage that reads it; null for the last stage,
 *     whose output goes to the client
 * @param inputs the ids of the stages it reads, in the order its plan reads them
 */
public record Stage(
    int id, PhysicalPlan plan, List<Task> tasks, Exchange output, List<Integer> inputs) {
  public Stage {
    requireNonNull(plan, "plan is null");
    tasks = List.copyOf(tasks);
    inputs = List.copyOf(inputs);
  }
}
