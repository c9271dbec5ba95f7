package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * The Python path of docs/python.md, run as a Python user runs it: {@code client/python/
 * quiver_flight.py} (pyarrow only) against real nodes, each serving a third of a dataset. Listing,
 * reading a dataset, SQL read from every node its endpoints name (as plain text and as a Flight SQL
 * command), pandas and polars from the Arrow table, and the shared-memory result mapped in place,
 * all compared with DuckDB over the same files; then over TLS with a password and with an issuer's
 * JWT, and a wrong password refused.
 *
 * <p>The Python is {@code -Dquiver.python}, else {@code $QUIVER_PYTHON} (which {@code .ci/run} sets
 * to a virtual environment with pinned pyarrow, pandas and polars), else {@code python3}; without
 * pyarrow there the Python tests are skipped, saying why. pandas and polars are checked when that
 * Python has them.
 */
class PythonClientTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path MODULE = ROOT.resolve("client/python/quiver_flight.py");
  private static final Path CHECK = ROOT.resolve("server/src/test/python/check_quiver_flight.py");
  private static final String SCAN = "SELECT id, k, s FROM t WHERE id % 7 = 0";
  private static final String AGGREGATE =
      "SELECT k, SUM(a) AS total, COUNT(*) AS n FROM t GROUP BY k";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path data;
  @TempDir Path shm;
  static DuckDb duckdb;
  static List<Path> files = new ArrayList<>();
  static String python;
  static String withoutPython;

  @BeforeAll
  static void writeFilesAndFindPython() throws Exception {
    duckdb = new DuckDb();
    for (int n = 0; n < 3; n++) {
      Path file = data.resolve("t" + n + ".parquet");
      duckdb.writeParquet(
          "SELECT i AS id, i % 500 AS k, CASE WHEN i % 11 = 0 THEN NULL ELSE i * 3 END AS a,"
              + " 'name-' || (i % 37) AS s FROM range("
              + n * 100_000
              + ", "
              + (n + 1) * 100_000
              + ") t(i)",
          file,
          "ROW_GROUP_SIZE 25000");
      files.add(file);
    }
    python = System.getProperty("quiver.python", System.getenv("QUIVER_PYTHON"));
    if (python == null || python.isBlank()) {
      python = "python3";
    }
    withoutPython = pyarrowMissing(python);
    if (withoutPython != null) {
      System.out.println(
          "PythonClientTest: the Python tests are skipped: "
              + withoutPython
              + " (set QUIVER_PYTHON to a Python with pyarrow; .ci/run installs one)");
    }
  }

  @AfterAll
  static void close() throws Exception {
    duckdb.close();
  }

  @Test
  void theDocsShowTheModuleAsItIs() throws IOException {
    String docs = Files.readString(ROOT.resolve("docs/python.md"));
    assertThat(docs).contains("```python\n" + Files.readString(MODULE) + "```\n");
  }

  @Test
  void aPythonUserReadsWhatDuckDbComputesFromEveryNodeAndFromSharedMemory() throws Exception {
    Assumptions.assumeTrue(withoutPython == null, () -> withoutPython);
    try (TestCluster cluster =
        TestCluster.start(
            files.stream().map(f -> Map.of("t", f.toString())).toList(),
            Map.of("quiver.shm-directory", shm.toString()))) {
      Map<String, Object> spec = spec(cluster.uri(0).toString());
      spec.put("shared", true);
      JsonNode answers = run(spec);

      assertAnswersAsDuckDb(answers);
      assertThat(answers.path("scan").path("nodes").asInt())
          .as("nodes whose endpoints the scan read")
          .isEqualTo(3);
      JsonNode shared = answers.path("shared");
      assertThat(shared.path("rows").asLong())
          .isEqualTo(answers.path("scan").path("rows").asLong());
      assertThat(shared.path("idSum").asLong())
          .isEqualTo(answers.path("scan").path("idSum").asLong());
      assertThat(shared.path("allocatedBytes").asLong())
          .as("Arrow memory allocated to read the mapped file (the table has %s bytes)", shared)
          .isLessThan(shared.path("tableBytes").asLong() / 10);
      assertThat(strings(answers.path("sharedAggregate"))).isEqualTo(expectedAggregate());
    }
  }

  @Test
  void overTlsAPasswordAndAnIssuersTokenReadTheSameAndAWrongPasswordIsRefused() throws Exception {
    Assumptions.assumeTrue(withoutPython == null, () -> withoutPython);
    TestCertificates certificates =
        TestCertificates.create(Files.createDirectories(shm.resolve("tls")));
    String password = "correct horse battery staple";
    Path users = shm.resolve("users");
    Files.writeString(users, "ana:" + new BCryptPasswordEncoder(4).encode(password) + "\n");
    RSAKey key = new RSAKeyGenerator(2048).keyID("k1").generate();
    byte[] jwks = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
    HttpServer issuer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    issuer.createContext(
        "/jwks.json",
        exchange -> {
          exchange.sendResponseHeaders(200, jwks.length);
          exchange.getResponseBody().write(jwks);
          exchange.close();
        });
    issuer.start();
    Map<String, Object> properties = new HashMap<>();
    properties.put("quiver.tls-cert-chain", certificates.chain().toString());
    properties.put("quiver.tls-private-key", certificates.key().toString());
    properties.put("quiver.tls-trusted-certificates", certificates.ca().toString());
    properties.put("quiver.auth-users-file", users.toString());
    properties.put("quiver.auth-cluster-secret", "a secret only the nodes know");
    properties.put(
        "quiver.auth-jwks", "http://127.0.0.1:" + issuer.getAddress().getPort() + "/jwks.json");
    properties.put("quiver.auth-jwt-issuer", JwtAuthTest.ISSUER);
    properties.put("quiver.auth-jwt-audience", "quiver");
    properties.put("quiver.shm-directory", shm.resolve("store").toString());
    try (TestCluster cluster =
        TestCluster.start(
            files.stream().map(f -> Map.of("t", f.toString())).toList(), properties)) {
      String uri = cluster.node(0).node().localLocation().getUri().toString();
      assertThat(uri).startsWith("grpc+tls://");

      Map<String, Object> withPassword = spec(uri);
      withPassword.put("ca", certificates.ca().toString());
      withPassword.put("user", "ana");
      withPassword.put("password", password);
      withPassword.put("shared", true);
      withPassword.put("wrongPassword", "not the password");
      JsonNode answers = run(withPassword);
      assertAnswersAsDuckDb(answers);
      assertThat(strings(answers.path("sharedAggregate"))).isEqualTo(expectedAggregate());
      assertThat(answers.path("wrongPassword").path("type").asText())
          .isEqualTo("FlightUnauthenticatedError");
      assertThat(answers.path("wrongPassword").path("message").asText())
          .contains("Invalid user name or password");

      Map<String, Object> withToken = spec(uri);
      withToken.put("ca", certificates.ca().toString());
      withToken.put(
          "token",
          JwtAuthTest.token(key, JwtAuthTest.ISSUER, "quiver", Instant.now().plusSeconds(300)));
      assertAnswersAsDuckDb(run(withToken));
    } finally {
      issuer.stop(0);
    }
  }

  private static Map<String, Object> spec(String uri) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("uri", uri);
    spec.put("dataset", "t");
    spec.put("scan", SCAN);
    spec.put("aggregate", AGGREGATE);
    return spec;
  }

  /** What every run answers alike: listing, reading, SQL, pandas and polars, a bad query. */
  private static void assertAnswersAsDuckDb(JsonNode answers) {
    assertThat(answers.path("datasets").toString()).isEqualTo("[[\"t\",300000]]");
    assertThat(answers.path("read").path("rows").asLong()).isEqualTo(300_000);
    assertThat(answers.path("read").path("idSum").asLong())
        .isEqualTo(duckdb.queryLong("SELECT SUM(id) FROM " + all()));
    assertThat(answers.path("scan").path("rows").asLong())
        .isEqualTo(duckdb.queryLong(SCAN.replace("id, k, s", "COUNT(*)").replace(" t ", all())));
    assertThat(answers.path("scan").path("idSum").asLong())
        .isEqualTo(duckdb.queryLong(SCAN.replace("id, k, s", "SUM(id)").replace(" t ", all())));
    assertThat(strings(answers.path("aggregate"))).isEqualTo(expectedAggregate());
    assertThat(strings(answers.path("flightSql")))
        .as("the same query as a Flight SQL command")
        .isEqualTo(expectedAggregate());

    long total = duckdb.queryLong("SELECT SUM(a) FROM " + all());
    for (String frames : List.of("pandas", "polars")) {
      JsonNode frame = answers.path(frames);
      if (frame.has("missing")) {
        System.out.println("PythonClientTest: " + frames + " is not checked: " + frame);
        continue;
      }
      assertThat(frame.path("rows").asLong()).as(frames).isEqualTo(500);
      assertThat(frame.path("total").asLong()).as(frames).isEqualTo(total);
      assertThat(frame.path("n").asLong()).as(frames).isEqualTo(300_000);
    }
    assertThat(answers.path("badQuery").path("type").asText()).isEqualTo("ArrowInvalid");
    assertThat(answers.path("badQuery").path("message").asText()).contains("nope");
  }

  private static List<String> expectedAggregate() {
    List<String> rows =
        new ArrayList<>(AggregateRows.ofDuckDb(duckdb.query(AGGREGATE.replace(" t ", all()))));
    rows.sort(Comparator.naturalOrder());
    return rows;
  }

  /** The three files as one table in DuckDB's SQL, surrounded by spaces. */
  private static String all() {
    return files.stream()
        .map(f -> "'" + f + "'")
        .collect(Collectors.joining(", ", " read_parquet([", "]) "));
  }

  private static List<String> strings(JsonNode array) {
    List<String> strings = new ArrayList<>();
    array.forEach(value -> strings.add(value.asText()));
    return strings;
  }

  /** Runs the check script with {@code spec}; its JSON answers. */
  private static JsonNode run(Map<String, Object> spec) throws Exception {
    Path err = Files.createTempFile(data, "python", ".err");
    Process process =
        new ProcessBuilder(
                python,
                CHECK.toString(),
                MODULE.getParent().toString(),
                JSON.writeValueAsString(spec))
            .redirectError(err.toFile())
            .start();
    byte[] out = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(180, TimeUnit.SECONDS)).as("the Python check finished").isTrue();
    assertThat(process.exitValue()).as(Files.readString(err)).isZero();
    return JSON.readTree(out);
  }

  /**
   * Why {@code python} cannot run the checks (it is missing, or has no pyarrow); null if it can.
   */
  private static String pyarrowMissing(String python) throws InterruptedException {
    try {
      Process process =
          new ProcessBuilder(python, "-c", "import pyarrow.flight")
              .redirectErrorStream(true)
              .start();
      String said = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        List<String> lines = said.lines().toList();
        return python
            + " cannot import pyarrow.flight"
            + (lines.isEmpty() ? "" : " (" + lines.get(lines.size() - 1) + ")");
      }
      return null;
    } catch (IOException e) {
      return "there is no " + python + " to run (" + e.getMessage() + ")";
    }
  }
}
