package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.client.cli.QuiverCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code quiver} command line end to end against a running node. */
class CliTest {
  @TempDir static Path data;
  static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    try (DuckDb duckdb = new DuckDb()) {
      duckdb.writeParquet(
          "SELECT range AS id, CASE WHEN range % 3 = 0 THEN NULL ELSE 'city, \"' || range || '\"' END AS name,"
              + " range * 1.25 AS price FROM range(2500)",
          data.resolve("shops.parquet"), "ROW_GROUP_SIZE 500");
    }
    node = TestNode.start(Map.of("shops", data.resolve("shops.parquet").toString()));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /** Runs {@code quiver <command> --server=<the node> <options>}. */
  private static CliRun quiver(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = args[0];
    all[1] = "--server=" + node.uri();
    System.arraycopy(args, 1, all, 2, args.length - 1);
    return CliRun.of(all);
  }

  @Test
  void sqlWithProgressPollsTheAggregationAndDrawsHowFarItGot() {
    CliRun run = quiver("sql", "--progress", "SELECT name, COUNT(*) FROM shops GROUP BY name");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.err()).contains("query 100%").containsPattern("[0-9,]+ rows");
    assertThat(run.out()).contains("COUNT(*)");
  }

  @Test
  void everyCommandPrintsItsHelpWithoutAServer() {
    for (String command :
        new String[] {"list", "schema", "get", "sql", "queries", "cancel", "shell"}) {
      CliRun run = CliRun.of(command, "--help");
      assertThat(run.exit()).as(command + " --help: " + run.err()).isZero();
      assertThat(run.out()).as(command).startsWith("Usage: quiver " + command);
    }
  }

  @Test
  void listPrintsEveryDatasetWithItsRowCount() {
    CliRun run = quiver("list");
    assertThat(run.exit()).isZero();
    assertThat(run.out().lines().toList()).hasSize(2);
    assertThat(run.out()).contains("shops").contains("2,500");
  }

  @Test
  void schemaPrintsColumnsTypesAndNullability() {
    CliRun run = quiver("schema", "shops");
    assertThat(run.exit()).isZero();
    assertThat(run.out())
        .containsPattern("id\\s+BIGINT")
        .containsPattern("name\\s+VARCHAR\\s+yes")
        .doesNotContain("Int(64")
        .doesNotContain("Utf8");
  }

  @Test
  void tablesGroupDigitsAndRoundFloatsWhileCsvKeepsTheRawValues() {
    String sql = "SELECT COUNT(*) AS n, AVG(id) / 9 AS mean FROM shops";
    CliRun table = quiver("sql", sql);
    assertThat(table.exit()).as(table.err()).isZero();
    assertThat(table.out()).contains("2,500").contains("138.833333").doesNotContain("138.8333333");
    CliRun csv = quiver("sql", sql, "--format", "csv");
    assertThat(csv.exit()).as(csv.err()).isZero();
    assertThat(csv.out()).contains("2500,").contains("138.8333333");
  }

  @Test
  void getPrintsAnAlignedTableUpToTheLimit() {
    CliRun run = quiver("get", "shops", "--limit", "5");
    assertThat(run.exit()).as(run.err()).isZero();
    List<String> lines = run.out().lines().toList();
    assertThat(lines).hasSize(1 + 1 + 5 + 1);
    assertThat(lines.get(0)).startsWith("id").contains("name").contains("price");
    assertThat(lines.get(7)).isEqualTo("(5 rows)");
    int firstSeparator = lines.get(0).indexOf('|');
    assertThat(lines.get(1).indexOf('+')).isEqualTo(firstSeparator);
    assertThat(lines.subList(2, 7))
        .allSatisfy(line -> assertThat(line.indexOf('|')).isEqualTo(firstSeparator));
    assertThat(run.out()).contains("NULL");
  }

  @Test
  void getWritesCsvWithQuotingAndEmptyNulls() {
    CliRun run = quiver("get", "shops", "--limit", "3", "--format", "csv");
    assertThat(run.exit()).isZero();
    assertThat(run.out().lines().toList()).hasSize(4).first().isEqualTo("id,name,price");
    assertThat(run.out()).containsPattern("\"city, \"\"\\d+\"\"\"");
    assertThat(run.out()).containsPattern("(?m)^\\d+,,\\d");
  }

  @Test
  void getWritesJsonLinesWithNumbersAndNulls() throws Exception {
    CliRun run = quiver("get", "shops", "--format", "json");
    assertThat(run.exit()).isZero();
    List<String> lines = run.out().lines().toList();
    assertThat(lines).hasSize(2500);
    ObjectMapper json = new ObjectMapper();
    long nulls = 0;
    for (String line : lines) {
      JsonNode row = json.readTree(line);
      assertThat(row.get("id").isNumber()).isTrue();
      nulls += row.get("name").isNull() ? 1 : 0;
    }
    assertThat(nulls).isEqualTo(834);
  }

  @Test
  void getWritesAnArrowIpcStreamToAFile() throws Exception {
    Path output = data.resolve("out.arrows");
    CliRun run = quiver("get", "shops", "--format", "arrow", "--output", output.toString());
    assertThat(run.exit()).as(run.err()).isZero();
    long rows = 0;
    try (RootAllocator allocator = new RootAllocator();
        ArrowStreamReader reader = new ArrowStreamReader(Files.newInputStream(output), allocator)) {
      while (reader.loadNextBatch()) {
        rows += reader.getVectorSchemaRoot().getRowCount();
      }
    }
    assertThat(rows).isEqualTo(2500);
  }

  @Test
  void anUnknownDatasetFailsWithTheServersMessage() {
    CliRun run = quiver("get", "nope");
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err())
        .contains("NOT_FOUND")
        .contains("Unknown dataset 'nope'")
        .contains("shops");
  }

  @Test
  void anUnreachableServerIsNamed() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit =
        QuiverCli.run(
            new String[] {"list", "--server=grpc://127.0.0.1:1"},
            new PrintStream(out),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(exit).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8)).as("no header before the error").isEmpty();
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot reach grpc://127.0.0.1:1");
  }

  @Test
  void anUnknownFormatIsAUsageError() {
    CliRun run = quiver("get", "shops", "--format", "xml");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("Unknown format 'xml'");
  }
}
