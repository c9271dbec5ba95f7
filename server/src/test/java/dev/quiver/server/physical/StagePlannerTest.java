package dev.quiver.server.physical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.parquet.dataset.DatasetLoader;
import dev.quiver.parquet.predicate.Constant;
import dev.quiver.server.DuckDb;
import dev.quiver.server.cluster.Placement;
import dev.quiver.server.exec.JoinType;
import dev.quiver.server.query.QueryNodes;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.apache.arrow.flight.Location;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stage planner cuts a plan at every exchange, whatever the operators above and below: a join
 * whose build side is broadcast to every node holding the probe side is two stages, the build's (on
 * every node) and the join's (with the probe's scan, on every node), and a repartitioned join is
 * three.
 */
class StagePlannerTest {
  static final Location A = Location.forGrpcInsecure("a", 1);
  static final Location B = Location.forGrpcInsecure("b", 1);
  static final Location C = Location.forGrpcInsecure("c", 1);

  @TempDir static Path data;
  static Scan orders;
  static Scan nations;

  @BeforeAll
  static void writeData() throws Exception {
    try (DuckDb duckdb = new DuckDb()) {
      duckdb.writeParquet(
          "SELECT i AS id, i % 25 AS nation, i * 1.5 AS price FROM range(1000) r(i)",
          data.resolve("orders.parquet"), "");
      duckdb.writeParquet(
          "SELECT i AS nation, 'n' || i AS name FROM range(25) r(i)",
          data.resolve("nations.parquet"),
          "");
    }
    orders =
        new Scan(
            DatasetLoader.load("orders", data.resolve("orders.parquet").toString()),
            List.of("id", "nation", "price"),
            Constant.TRUE);
    nations =
        new Scan(
            DatasetLoader.load("nations", data.resolve("nations.parquet").toString()),
            List.of("nation", "name"),
            Constant.TRUE);
  }

  private static StagePlanner planner() {
    return new StagePlanner(new QueryNodes(Placement.PEER_LOCAL, List.of(A, B, C), null), A);
  }

  @Test
  void aBroadcastJoinIsTheBuildStageAndTheProbeStage() {
    HashJoin join =
        new HashJoin(orders, Exchange.broadcast(nations), JoinType.INNER, List.of(1), List.of(0));
    assertThat(join.children()).hasSize(2);
    assertThat(join.schema().getFields())
        .extracting(f -> f.getName())
        .containsExactly("id", "nation", "price", "nation", "name");

    List<Stage> stages = planner().cut(join);

    assertThat(stages).extracting(Stage::id).containsExactly(1, 2);
    Stage build = stages.get(0);
    assertThat(build.plan()).isEqualTo(nations);
    assertThat(build.output().target()).isEqualTo(Distribution.REPLICATED);
    assertThat(build.tasks()).extracting(Task::node).containsExactly(A, B, C);
    Stage probe = stages.get(1);
    assertThat(probe.inputs()).containsExactly(1);
    assertThat(probe.output()).isNull();
    assertThat(probe.tasks()).extracting(Task::node).containsExactly(A, B, C);
    assertThat(probe.plan())
        .isEqualTo(
            new HashJoin(
                orders,
                new Exchange(
                    new RemoteSource(1, nations.schema(), Distribution.REPLICATED),
                    Distribution.REPLICATED,
                    OptionalLong.empty()),
                JoinType.INNER,
                List.of(1),
                List.of(0)));
    assertThat(PlanPrinter.print(stages, A))
        .containsExactly(
            "Stage 2: 3 tasks (grpc+tcp://a:1 (coordinator): its own files; grpc+tcp://b:1: its own"
                + " files; grpc+tcp://c:1: its own files); output to the client, which reads each"
                + " task's part",
            "  HashJoin INNER on [nation] = [nation]",
            "    Scan orders [id, nation, price]",
            "    Exchange broadcast",
            "      RemoteSource stage 1",
            "Stage 1: 3 tasks (grpc+tcp://a:1 (coordinator): its own files; grpc+tcp://b:1: its own"
                + " files; grpc+tcp://c:1: its own files); output by broadcast to stage 2",
            "  Scan nations [nation, name]");
  }

  @Test
  void aRepartitionedJoinRunsOnePartitionPerNodeAfterBothSidesAreSent() {
    HashJoin join =
        new HashJoin(
            Exchange.hash(orders, List.of(1), 3),
            Exchange.hash(nations, List.of(0), 3),
            JoinType.LEFT,
            List.of(1),
            List.of(0));
    List<Stage> stages = planner().cut(join);
    assertThat(stages).extracting(Stage::id).containsExactly(1, 2, 3);
    assertThat(stages.get(2).inputs()).containsExactly(1, 2);
    assertThat(stages.get(2).tasks())
        .extracting(Task::partition, Task::node)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(0, A),
            org.assertj.core.groups.Tuple.tuple(1, B),
            org.assertj.core.groups.Tuple.tuple(2, C));
    assertThat(stages.get(2).plan().distribution()).isEqualTo(Distribution.hash(List.of(1), 3));
  }

  @Test
  void operatorsRefuseTheWrongNumberOfChildrenAndJoinsUnpairedKeys() {
    assertThatThrownBy(() -> orders.withChildren(List.of(nations)))
        .hasMessageContaining("Scan takes 0 children, got 1");
    assertThatThrownBy(() -> new HashJoin(orders, nations, JoinType.SEMI, List.of(1), List.of()))
        .hasMessageContaining("as many build keys as probe keys");
    assertThatThrownBy(() -> new Exchange(orders, Distribution.SINGLE, OptionalLong.of(1)))
        .hasMessageContaining("Only a hash repartition can turn into a gather");
  }
}
