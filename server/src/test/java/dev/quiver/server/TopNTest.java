package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.client.BatchStream;
import dev.quiver.client.QuiverClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ORDER BY ... LIMIT keeps only the first rows it has seen and passes over batches that cannot
 * change them: with batches of 1,000 rows over 200,000, the answers equal DuckDB's, with ties kept
 * in the order SQL leaves to the engine settled by a unique key, NULLs first or last, descending
 * keys, keys that are not selected, and limits below, at and above a batch.
 */
class TopNTest {
  @TempDir static Path data;
  static DuckDb duckdb;
  static TestNode node;
  static Path file;

  @BeforeAll
  static void start() {
    duckdb = new DuckDb();
    file = data.resolve("t.parquet");
    duckdb.writeParquet(
        "SELECT i AS id, CASE WHEN i % 13 = 0 THEN NULL ELSE hash(i) % 1000 END AS m,"
            + " (i % 7)::INTEGER AS k, 'n' || (hash(i * 3) % 50) AS s,"
            + " CASE WHEN i % 17 = 0 THEN NULL ELSE (i * 7919) % 3001 END::BIGINT AS v"
            + " FROM range(200000) r(i)",
        file, "ROW_GROUP_SIZE 20000");
    node = TestNode.start(Map.of("t", file.toString()), Map.of("quiver.batch-rows", 1000));
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
    duckdb.close();
  }

  @Test
  void topRowsEqualDuckDbsWhateverTheKeysAndTheLimit() throws Exception {
    for (String sql :
        List.of(
            "SELECT id, m FROM t ORDER BY m DESC, id LIMIT 10",
            "SELECT id, m FROM t ORDER BY m NULLS FIRST, id DESC LIMIT 25",
            "SELECT id FROM t ORDER BY m DESC NULLS LAST, id LIMIT 1",
            "SELECT s, id FROM t WHERE k = 3 ORDER BY s, m DESC, id LIMIT 999",
            "SELECT id, k FROM t ORDER BY k, id DESC LIMIT 1500",
            "SELECT id FROM t ORDER BY id DESC LIMIT 3",
            "SELECT id, v FROM t ORDER BY v DESC NULLS FIRST, id LIMIT 20",
            "SELECT id, v FROM t ORDER BY v NULLS FIRST, id LIMIT 2000",
            "SELECT id, v FROM t ORDER BY v DESC, id LIMIT 20",
            "SELECT v, id FROM t WHERE k = 2 ORDER BY v, id DESC LIMIT 7",
            "SELECT id + 1 AS following FROM t ORDER BY id LIMIT 5")) {
      List<String> expected =
          CanonicalRows.ofDuckDbInOrder(duckdb.query(sql.replace("FROM t", "FROM '" + file + "'")));
      try (QuiverClient client = QuiverClient.connect(node.uri());
          BatchStream stream = client.query(sql)) {
        assertThat(CanonicalRows.inOrder(stream)).as(sql).isEqualTo(expected);
      }
    }
  }

  @Test
  void aTopNByAKeyTheFilesAreLaidOutByReadsOneRowGroupAndSkipsTheRestByStatistics()
      throws Exception {
    for (String sql :
        List.of(
            "SELECT id, m FROM t ORDER BY id DESC LIMIT 10",
            "SELECT id, s FROM t ORDER BY id LIMIT 10")) {
      List<String> expected =
          CanonicalRows.ofDuckDbInOrder(duckdb.query(sql.replace("FROM t", "FROM '" + file + "'")));
      try (QuiverClient client = QuiverClient.connect(node.uri());
          BatchStream stream = client.query(sql)) {
        assertThat(CanonicalRows.inOrder(stream)).as(sql).isEqualTo(expected);
        // Ten row groups of about 20,000 ids in order: the one holding the answer is read first,
        // and the bound it sets rules out the nine others unread.
        assertThat(stream.statistics().get("rowGroupsSkippedByStatistics")).as(sql).isEqualTo(9);
        assertThat(stream.statistics().get("rowsDecoded")).as(sql).isLessThanOrEqualTo(20_480);
      }
    }
  }
}
