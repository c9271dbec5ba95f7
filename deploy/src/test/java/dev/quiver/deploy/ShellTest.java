package dev.quiver.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quiver.client.DatasetInfo;
import dev.quiver.client.QuiverClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./quiver shell} as a person uses it: typed on a terminal (a pseudo-terminal), a statement
 * over two lines, dot commands, an output mode, a bad statement and Ctrl-C on a statement that
 * would run for minutes, against a node the launcher started; and fed from a file, without a
 * terminal. Expected rows come from DuckDB over the same file.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ShellTest {
  private static final Duration ANSWER = Duration.ofSeconds(60);
  private static final String PROMPT = "quiver> ";
  private static final String GROUPS = "SELECT k, COUNT(*) AS n FROM trips GROUP BY k ORDER BY k";

  /** 200,000 legs joined on 7 keys: 5.7 billion pairs to count, minutes of work. */
  private static final String ENDLESS = "SELECT COUNT(*) FROM legs a JOIN legs b ON a.k = b.k";

  @TempDir static Path work;
  private static Process node;
  private static URI uri;
  private static List<List<String>> groups;

  @BeforeAll
  static void startNode() throws Exception {
    Path trips = work.resolve("trips.parquet");
    Path legs = work.resolve("legs.parquet");
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckdb.createStatement()) {
      statement.execute(
          "COPY (SELECT i AS id, i % 7 AS k FROM range(0, 5000) t(i)) TO '"
              + trips
              + "' (FORMAT PARQUET)");
      statement.execute(
          "COPY (SELECT i AS id, i % 7 AS k FROM range(0, 200000) t(i)) TO '"
              + legs
              + "' (FORMAT PARQUET)");
      groups = new ArrayList<>();
      try (ResultSet rows =
          statement.executeQuery(GROUPS.replace("trips", "read_parquet('" + trips + "')"))) {
        while (rows.next()) {
          groups.add(List.of(rows.getString(1), rows.getString(2)));
        }
      }
    }
    int port = LaunchedNodeTest.freePort();
    node =
        new ProcessBuilder(
                LaunchedNodeTest.ROOT.resolve("quiver").toString(),
                "serve",
                "--port=" + port,
                "--dataset=trips=" + trips,
                "--dataset=legs=" + legs)
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("node.log").toFile())
            .start();
    uri = URI.create("grpc://127.0.0.1:" + port);
    await()
        .atMost(Duration.ofSeconds(180))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .failFast("the node exited", () -> !node.isAlive())
        .until(ShellTest::datasets, d -> d.size() == 2);
  }

  @AfterAll
  static void stopNode() throws InterruptedException {
    if (node != null) {
      node.destroy();
      if (!node.waitFor(60, TimeUnit.SECONDS)) {
        node.destroyForcibly();
      }
    }
  }

  @Test
  void runsWhatIsTypedAndCtrlCCancelsTheRunningStatementButNotTheShell() throws Exception {
    Optional<String> unavailable = PseudoTerminal.unavailable();
    if (unavailable.isPresent()) {
      System.err.println("ShellTest: skipped: " + unavailable.get());
    }
    Assumptions.assumeTrue(unavailable.isEmpty(), () -> unavailable.orElse(""));
    Path home = Files.createDirectories(work.resolve("home"));
    try (PseudoTerminal terminal =
        PseudoTerminal.start(
            List.of(
                LaunchedNodeTest.ROOT.resolve("quiver").toString(),
                "shell",
                "--server",
                uri.toString()),
            Map.of("TERM", "xterm-256color", "QUIVER_JAVA_OPTS", "-Duser.home=" + home))) {
      assertThat(terminal.awaitScreen(PROMPT, Duration.ofSeconds(180)))
          .contains("quiver shell on " + uri);

      // A statement over two lines: Enter before its ';' asks for the rest.
      terminal.type("SELECT k, COUNT(*) AS n\r");
      terminal.awaitScreen("   ...> ", ANSWER);
      terminal.type("FROM trips GROUP BY k ORDER BY k;\r");
      String table = terminal.awaitScreen(PROMPT, ANSWER);
      assertThat(tableRows(table)).containsExactlyElementsOf(groups);
      assertThat(table).contains("(7 rows)").containsPattern("Run Time: \\d+\\.\\d{3} s");

      terminal.type(".tables\r");
      assertThat(terminal.awaitScreen(PROMPT, ANSWER).lines())
          .anyMatch(line -> line.matches("trips +5,000 .*"))
          .anyMatch(line -> line.matches("legs +200,000 .*"));

      terminal.type(".schema trips\r");
      assertThat(terminal.awaitScreen(PROMPT, ANSWER).lines())
          .anyMatch(line -> line.matches("id +BIGINT +yes"))
          .anyMatch(line -> line.matches("k +BIGINT +yes"));

      terminal.type(".mode csv\r");
      terminal.awaitScreen(PROMPT, ANSWER);
      terminal.type(GROUPS + ";\r");
      StringBuilder csv = new StringBuilder("k,n\n");
      groups.forEach(row -> csv.append(String.join(",", row)).append('\n'));
      assertThat(terminal.awaitScreen(PROMPT, ANSWER)).contains(csv);

      // A bad statement prints one line, as quiver sql does, and the shell goes on.
      terminal.type("SELECT nope FROM trips;\r");
      assertThat(terminal.awaitScreen(PROMPT, ANSWER).lines())
          .filteredOn(line -> line.startsWith("quiver:"))
          .containsExactly(
              "quiver: INVALID_ARGUMENT: Unknown column 'nope' in dataset 'trips' (line 1, column 8);"
                  + " columns are:"
                  + " id, k");

      // Ctrl-C at the prompt clears what was typed.
      terminal.type("SELECT this is not run");
      terminal.awaitScreen("not run", ANSWER);
      terminal.type("\u0003");
      terminal.awaitScreen(PROMPT, ANSWER);

      // Ctrl-C while a statement runs cancels it on the node, and the shell stays.
      terminal.type(".mode table\r");
      terminal.awaitScreen(PROMPT, ANSWER);
      terminal.type(ENDLESS + ";\r");
      await().atMost(ANSWER).pollInterval(Duration.ofMillis(200)).until(ShellTest::endlessRuns);
      terminal.type("\u0003");
      assertThat(terminal.awaitScreen(PROMPT, ANSWER)).contains("Query cancelled.");
      await().atMost(ANSWER).pollInterval(Duration.ofMillis(200)).until(() -> !endlessRuns());

      terminal.type("SELECT COUNT(*) AS n FROM trips;\r");
      assertThat(tableRows(terminal.awaitScreen(PROMPT, ANSWER))).containsExactly(List.of("5,000"));

      terminal.type(".quit\r");
      assertThat(terminal.awaitExit(ANSWER)).as(terminal.screen()).isZero();
      assertThat(terminal.screen()).doesNotContain("WARNING", "Exception");
    }
    // Each statement is one entry of the history, the two-line one too.
    assertThat(Files.readString(home.resolve(".quiver/history")))
        .contains("SELECT k, COUNT(*) AS n\\nFROM trips GROUP BY k ORDER BY k;")
        .contains(".schema trips")
        .contains(ENDLESS + ";")
        .doesNotContain("SELECT this is not run");
  }

  @Test
  void runsStatementsFromAFileWithoutPromptsAndExitsOneAfterAFailure() throws Exception {
    Path statements = work.resolve("statements.sql");
    Files.writeString(
        statements,
        """
        .timer off
        .mode csv
        SELECT k, COUNT(*) AS n
        FROM trips GROUP BY k ORDER BY k;
        SELECT nope FROM trips;
        -- the last statement may go without its ';'
        SELECT COUNT(*) AS n FROM trips
        """);
    Process shell =
        new ProcessBuilder(
                LaunchedNodeTest.ROOT.resolve("quiver").toString(), "shell", "--server=" + uri)
            .redirectInput(statements.toFile())
            .redirectError(work.resolve("shell.err").toFile())
            .start();
    String printed = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(shell.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String errors = Files.readString(work.resolve("shell.err"));
    assertThat(shell.exitValue()).as(errors).isEqualTo(1);

    StringBuilder expected = new StringBuilder("k,n\n");
    groups.forEach(row -> expected.append(String.join(",", row)).append('\n'));
    expected.append("n\n5000\n");
    assertThat(printed).isEqualTo(expected.toString());
    assertThat(errors.lines())
        .containsExactly(
            "quiver: INVALID_ARGUMENT: Unknown column 'nope' in dataset 'trips' (line 1, column 8);"
                + " columns are:"
                + " id, k");
  }

  /** The cells of a printed table's rows: the lines below its {@code --+--} rule. */
  private static List<List<String>> tableRows(String screen) {
    List<List<String>> rows = new ArrayList<>();
    boolean body = false;
    for (String line : screen.lines().toList()) {
      if (line.matches("-+(-\\+-+)*")) {
        body = true;
      } else if (body && line.startsWith("(")) {
        body = false;
      } else if (body) {
        rows.add(List.of(line.split(" \\| ", -1)).stream().map(String::strip).toList());
      }
    }
    return rows;
  }

  /** Whether the node is running the endless join, as {@code quiver queries} lists it. */
  private static boolean endlessRuns() throws InterruptedException {
    try (QuiverClient client = QuiverClient.connect(uri)) {
      return StreamSupport.stream(client.action("queries").spliterator(), false)
          .map(query -> query.path("what").asText())
          .anyMatch(what -> what.contains("JOIN legs"));
    }
  }

  private static List<DatasetInfo> datasets() throws InterruptedException {
    try (QuiverClient client = QuiverClient.connect(uri)) {
      return client.datasets();
    }
  }
}
