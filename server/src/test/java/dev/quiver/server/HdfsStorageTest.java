package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.client.BatchStream;
import dev.quiver.client.QuiverClient;
import dev.quiver.parquet.storage.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dataset on HDFS (Hadoop's in-process mini cluster: a real name node and data node): Hive
 * partitions written by DuckDB and copied in answer as DuckDB answers over the local copies.
 */
class HdfsStorageTest {
  @TempDir static Path dir;
  static MiniDFSCluster hdfs;
  static DuckDb duckdb;
  static String location;

  @BeforeAll
  static void copyTripsIntoHdfs() throws Exception {
    duckdb = new DuckDb();
    Path trips = dir.resolve("trips");
    duckdb.execute(
        "COPY (SELECT i AS id, 2022 + i % 3 AS year, (i % 11)::INTEGER AS zone, i * 0.5 AS fare"
            + " FROM range(30000) r(i)) TO '"
            + trips
            + "' (FORMAT PARQUET, PARTITION_BY (year), ROW_GROUP_SIZE 2048)");
    duckdb.execute(
        "CREATE VIEW trips AS SELECT * FROM read_parquet('"
            + trips
            + "/**/*.parquet', hive_partitioning = true)");
    Configuration conf = new Configuration();
    conf.set(
        MiniDFSCluster.HDFS_MINIDFS_BASEDIR,
        Files.createDirectories(dir.resolve("dfs")).toString());
    hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    hdfs.waitActive();
    FileSystem fs = hdfs.getFileSystem();
    fs.copyFromLocalFile(
        new org.apache.hadoop.fs.Path(trips.toUri()), new org.apache.hadoop.fs.Path("/lake/trips"));
    location = "hdfs://localhost:" + hdfs.getNameNodePort() + "/lake/trips";
  }

  @AfterAll
  static void stop() throws Exception {
    duckdb.close();
    if (hdfs != null) {
      hdfs.shutdown();
    }
  }

  @Test
  void aGroupByOverHivePartitionsOnHdfsAnswersAsDuckDb() throws Exception {
    String sql =
        "SELECT year, zone, COUNT(*), SUM(fare), MAX(id) FROM trips WHERE zone < 5 GROUP BY year,"
            + " zone";
    List<String> expected = new ArrayList<>(AggregateRows.ofDuckDb(duckdb.query(sql)));
    expected.sort(null);
    try (TestNode node = TestNode.start(Map.of("trips", location));
        QuiverClient client = QuiverClient.connect(node.uri());
        BatchStream stream = client.query(sql)) {
      List<String> rows = new ArrayList<>(AggregateRows.of(stream));
      rows.sort(null);
      assertThat(rows).isEqualTo(expected);
    }
  }

  @Test
  void aListingForgetsTheFilesGoneSinceTheLastOne() throws Exception {
    FileSystem fs = hdfs.getFileSystem();
    fs.mkdirs(new org.apache.hadoop.fs.Path("/lake/shrinking"));
    for (int f = 0; f < 3; f++) {
      fs.create(new org.apache.hadoop.fs.Path("/lake/shrinking/part-" + f + ".parquet")).close();
    }
    String shrinking = "hdfs://localhost:" + hdfs.getNameNodePort() + "/lake/shrinking";
    try (Storage storage = Storage.of(Map.of(), java.util.Optional.empty())) {
      assertThat(storage.list(shrinking)).hasSize(3);
      assertThat(storage.rememberedFiles()).isEqualTo(3);
      fs.delete(new org.apache.hadoop.fs.Path("/lake/shrinking/part-1.parquet"), false);
      assertThat(storage.list(shrinking))
          .extracting(f -> f.location().substring(f.location().lastIndexOf('/') + 1))
          .containsExactly("part-0.parquet", "part-2.parquet");
      assertThat(storage.rememberedFiles()).isEqualTo(2);
    }
  }
}
