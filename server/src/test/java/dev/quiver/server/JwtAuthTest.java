package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.quiver.client.BatchStream;
import dev.quiver.client.BearerToken;
import dev.quiver.client.QuiverClient;
import dev.quiver.client.Tls;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.auth2.BearerCredentialWriter;
import org.apache.arrow.flight.grpc.CredentialCallOption;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that accepts JWT bearer tokens of an OIDC issuer, whose key set the test serves over HTTP
 * as an issuer does: the Flight SQL JDBC driver's {@code token=} and a Flight client's bearer
 * header read with a valid token; a token signed by another key, for another issuer or audience, or
 * expired is UNAUTHENTICATED without saying why, and the node serves on.
 */
class JwtAuthTest {
  static final String ISSUER = "https://issuer.test/realms/data";
  @TempDir static Path dir;
  static HttpServer issuer;
  static RSAKey key;
  static TestNode node;

  @BeforeAll
  static void startIssuerAndNode() throws Exception {
    key = new RSAKeyGenerator(2048).keyID("k1").generate();
    byte[] jwks = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
    issuer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    issuer.createContext(
        "/jwks.json",
        exchange -> {
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, jwks.length);
          exchange.getResponseBody().write(jwks);
          exchange.close();
        });
    issuer.start();
    Path file = dir.resolve("t.parquet");
    try (DuckDb duckdb = new DuckDb()) {
      duckdb.writeParquet("SELECT i AS id FROM range(1000) r(i)", file, "");
    }
    node =
        TestNode.start(
            Map.of("t", file.toString(), "payroll", file.toString()),
            Map.of(
                "quiver.auth-jwks",
                "http://127.0.0.1:" + issuer.getAddress().getPort() + "/jwks.json",
                "quiver.auth-jwt-issuer",
                ISSUER,
                "quiver.auth-jwt-audience",
                "quiver",
                "quiver.auth-datasets.payroll",
                "role:hr"));
  }

  @AfterAll
  static void stop() {
    node.close();
    issuer.stop(0);
  }

  @Test
  void theJdbcDriverWithAnIssuersTokenAnswers() throws Exception {
    String token = token(key, ISSUER, "quiver", Instant.now().plusSeconds(300));
    try (Connection connection =
            DriverManager.getConnection(
                "jdbc:arrow-flight-sql://127.0.0.1:"
                    + node.uri().getPort()
                    + "/?useEncryption=false&token="
                    + token);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT COUNT(*), SUM(id) FROM t")) {
      assertThat(rows.next()).isTrue();
      assertThat(rows.getLong(1)).isEqualTo(1000);
      assertThat(rows.getLong(2)).isEqualTo(499_500);
    }
  }

  @Test
  void badTokensAreUnauthenticatedAlikeAndTheNodeServesOn() throws Exception {
    RSAKey other = new RSAKeyGenerator(2048).keyID("k1").generate();
    Instant later = Instant.now().plusSeconds(300);
    Map<String, String> bad =
        Map.of(
            "another key", token(other, ISSUER, "quiver", later),
            "another issuer", token(key, "https://elsewhere.test", "quiver", later),
            "another audience", token(key, ISSUER, "someone-else", later),
            "expired", token(key, ISSUER, "quiver", Instant.now().minusSeconds(120)),
            "not a JWT", "abc.def.ghi");
    for (Map.Entry<String, String> token : bad.entrySet()) {
      assertThatThrownBy(() -> count(token.getValue()))
          .as(token.getKey())
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHENTICATED))
          .hasMessageContaining("Invalid bearer token");
    }
    assertThat(count(token(key, ISSUER, "quiver", later))).isEqualTo(1000);
  }

  @Test
  void aDatasetForARoleIsReadWithATokenCarryingIt() throws Exception {
    Instant later = Instant.now().plusSeconds(300);
    assertThat(count(token(key, ISSUER, "quiver", later, "hr", "sales"), "payroll"))
        .isEqualTo(1000);
    assertThatThrownBy(() -> count(token(key, ISSUER, "quiver", later, "sales"), "payroll"))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHORIZED))
        .hasMessageContaining("User 'ana' may not read dataset 'payroll'");
  }

  @Test
  void theCliAndTheJavaClientSendAToken() throws Exception {
    String token = token(key, ISSUER, "quiver", Instant.now().plusSeconds(300));
    CliRun run =
        CliRun.of(
            "--server", node.uri().toString(), "--token", token, "sql", "SELECT COUNT(*) FROM t");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("1,000");
    try (QuiverClient client =
            QuiverClient.connect(
                node.uri(), new RootAllocator(), 4, Tls.SYSTEM, new BearerToken(token));
        BatchStream stream = client.query("SELECT SUM(id) FROM t")) {
      assertThat(AggregateRows.of(stream)).containsExactly("499500");
    }
  }

  private static long count(String token) throws Exception {
    return count(token, "t");
  }

  /** Rows of {@code dataset} read with {@code token} as the bearer of every call. */
  private static long count(String token, String dataset) throws Exception {
    CredentialCallOption bearer = new CredentialCallOption(new BearerCredentialWriter(token));
    try (BufferAllocator allocator = new RootAllocator();
        FlightClient client =
            FlightClient.builder(
                    allocator, Location.forGrpcInsecure("127.0.0.1", node.uri().getPort()))
                .build()) {
      FlightInfo info =
          client.getInfo(
              FlightDescriptor.command(
                  ("SELECT id FROM " + dataset).getBytes(StandardCharsets.UTF_8)),
              bearer);
      long rows = 0;
      for (var endpoint : info.getEndpoints()) {
        try (FlightStream stream = client.getStream(endpoint.getTicket(), bearer)) {
          while (stream.next()) {
            rows += stream.getRoot().getRowCount();
          }
        }
      }
      return rows;
    }
  }

  static String token(
      RSAKey signer, String issuer, String audience, Instant expiry, String... roles)
      throws JOSEException {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signer.getKeyID()).build(),
            new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(audience)
                .subject("ana")
                .expirationTime(Date.from(expiry))
                .issueTime(new Date())
                .claim("roles", java.util.List.of(roles))
                .build());
    jwt.sign(new RSASSASigner(signer));
    return jwt.serialize();
  }
}
