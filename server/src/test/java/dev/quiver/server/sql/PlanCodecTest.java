package dev.quiver.server.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.parquet.dataset.DatasetLoader;
import dev.quiver.server.DuckDb;
import dev.quiver.server.catalog.Catalog;
import dev.quiver.server.cluster.Placement;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.physical.PhysicalPlan;
import dev.quiver.server.physical.PhysicalPlanner;
import dev.quiver.server.physical.Stage;
import dev.quiver.server.physical.StagePlanner;
import dev.quiver.server.query.QueryNodes;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.apache.arrow.flight.Location;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plans travel to the nodes as JSON and come back equal to what the coordinator planned. */
class PlanCodecTest {
  @TempDir static Path data;
  static Catalog catalog;

  @BeforeAll
  static void writeData() throws Exception {
    Path file = data.resolve("t.parquet");
    try (DuckDb duckdb = new DuckDb()) {
      duckdb.writeParquet(
          "SELECT i AS id, (i % 7)::INTEGER AS k, i * 0.5 AS x, 'n' || i AS s,"
              + " CAST(i AS DECIMAL(12,2)) AS amount, DATE '2024-01-01' + i::INTEGER AS dt,"
              + " TIMESTAMP '2024-01-01 00:00:00' + to_seconds(i) AS ts, i % 2 = 0 AS flag"
              + " FROM range(0, 100) t(i)",
          file, "");
    }
    catalog = new Catalog(List.of(DatasetLoader.load("t", file.toString())));
  }

  @Test
  void everyKindOfPlanReadsBackAsItWasPlanned() {
    QueryPlanner planner = new QueryPlanner(catalog);
    PlanCodec codec = new PlanCodec(catalog);
    for (String sql :
        List.of(
            "SELECT id, s FROM t WHERE k > 2.5 AND s LIKE 'n1%' AND amount BETWEEN 1.5 AND 20",
            "SELECT id FROM t WHERE id IN (1, 2, 3) OR x IN (1.5, 2.5) OR s IN ('a', 'b')",
            "SELECT id FROM t WHERE dt >= DATE '2024-02-01' AND ts < TIMESTAMP '2024-01-01 00:01:00'"
                + " AND flag AND k IS NOT NULL",
            "SELECT id * 2 AS twice, CASE WHEN k < 3 THEN 'low' ELSE upper(s) END AS band,"
                + " COALESCE(k, 0) + 1 AS k1 FROM t WHERE x + k > 10 ORDER BY twice DESC LIMIT 5",
            "SELECT date_trunc('month', dt) AS m, SUM(amount * 2) AS a, COUNT(*) AS n,"
                + " AVG(x) AS ax FROM t GROUP BY 1 HAVING COUNT(*) > 1 ORDER BY a",
            "SELECT k, COUNT(DISTINCT s) AS n FROM t GROUP BY k",
            "SELECT DISTINCT k % 3 AS m FROM t")) {
      Query plan = planner.plan(sql);
      assertThat(codec.decode(codec.encode(plan))).as(sql).isEqualTo(plan);
    }
  }

  @Test
  void everyPhysicalPlanAndItsStagesReadBackAsTheyWereLowered() {
    QueryPlanner planner = new QueryPlanner(catalog);
    PlanCodec codec = new PlanCodec(catalog);
    List<String> queries =
        List.of(
            "SELECT id, s FROM t WHERE k > 2.5 AND s LIKE 'n1%' ORDER BY id DESC LIMIT 3",
            "SELECT id FROM t WHERE x + k > 10 ORDER BY s",
            "SELECT id FROM t LIMIT 5",
            "SELECT date_trunc('month', dt) AS m, SUM(amount * 2) AS a, COUNT(*) AS n"
                + " FROM t GROUP BY 1 HAVING COUNT(*) > 1 ORDER BY a",
            "SELECT k, COUNT(DISTINCT s) AS n FROM t GROUP BY k",
            "SELECT COUNT(*) FROM t");
    for (int nodes : new int[] {1, 3}) {
      for (String sql : queries) {
        PhysicalPlan plan = new PhysicalPlanner(nodes, 1 << 20).lower(planner.plan(sql));
        assertThat(codec.decodeOperators(codec.encode(plan)))
            .as(nodes + " nodes: " + sql)
            .isEqualTo(plan);
        QueryNodes members =
            new QueryNodes(
                Placement.PEER_LOCAL,
                Collections.nCopies(nodes, Location.forGrpcInsecure("n", 1)),
                null);
        for (Stage stage : new StagePlanner(members, Location.forGrpcInsecure("n", 1)).cut(plan)) {
          assertThat(codec.decodeOperators(codec.encode(stage.plan())))
              .as("stage %s of %s", stage.id(), sql)
              .isEqualTo(stage.plan());
        }
      }
    }
    assertThatThrownBy(
            () ->
                codec.decodeOperators("{\"version\":1,\"operators\":{\"operator\":\"teleport\"}}"))
        .isInstanceOfSatisfying(
            QuiverException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessageContaining("Malformed stage plan");
  }

  @Test
  void refusesAPlanOfAnotherVersionOrForAnUnknownDataset() {
    PlanCodec codec = new PlanCodec(catalog);
    String plan = codec.encode(new QueryPlanner(catalog).plan("SELECT id FROM t"));
    assertThatThrownBy(() -> codec.decode(plan.replace("\"version\":1", "\"version\":7")))
        .isInstanceOfSatisfying(
            QuiverException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              assertThat(e.getMessage()).contains("Unsupported plan version 7");
            });
    assertThatThrownBy(() -> codec.decode(plan.replace("\"dataset\":\"t\"", "\"dataset\":\"u\"")))
        .isInstanceOfSatisfying(
            QuiverException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    assertThatThrownBy(() -> codec.decode("{\"version\":1,\"plan\":{\"kind\":\"nope\"}}"))
        .isInstanceOfSatisfying(
            QuiverException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
  }
}
