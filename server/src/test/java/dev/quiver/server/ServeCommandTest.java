package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.client.QuiverClient;
import dev.quiver.server.config.QuiverConfig;
import dev.quiver.server.flight.FlightNode;
import io.micronaut.context.ApplicationContext;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The flags of {@code quiver serve} set the same properties as the configuration file. */
class ServeCommandTest {
  @TempDir Path data;

  @Test
  void flagsBecomeNodeConfigurationAndTheNodeServesTheNamedDatasets() throws Exception {
    try (DuckDb duckdb = new DuckDb()) {
      duckdb.writeParquet("SELECT range AS id FROM range(42)", data.resolve("a.parquet"), "");
    }
    QuiverServerMain serve = new QuiverServerMain();
    new CommandLine(serve)
        .parseArgs(
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--dataset",
            "answers=" + data.resolve("a.parquet"),
            "--peers",
            "grpc://10.0.0.1:8815,grpc://10.0.0.2:8815",
            "--memory-limit",
            "256MB",
            "--shared",
            "--query-memory-limit",
            "64MB");
    try (ApplicationContext context =
        ApplicationContext.builder().properties(serve.properties()).start()) {
      QuiverConfig config = context.getBean(QuiverConfig.class);
      assertThat(config.getPeers()).containsExactly("grpc://10.0.0.1:8815", "grpc://10.0.0.2:8815");
      assertThat(config.getMemoryLimit()).isEqualTo(256L * 1024 * 1024);
      assertThat(config.getSharedDatasets()).containsExactly("answers");
      assertThat(config.getQueryMemoryLimit()).isEqualTo(64L * 1024 * 1024);
      assertThat(config.isAuth()).isFalse();
      assertThat(context.getBean(BufferAllocator.class).getLimit()).isEqualTo(256L * 1024 * 1024);
      FlightNode node = context.getBean(FlightNode.class);
      assertThat(node.cluster().peers())
          .extracting(p -> p.getUri().getHost() + ":" + p.getUri().getPort())
          .containsExactly("10.0.0.1:8815", "10.0.0.2:8815");
      assertThat(node.cluster().self().getUri().getPort()).isEqualTo(node.port());
      // The peers do not exist; alone, the node describes its own part.
      node.cluster().setPeers(List.of());
      try (QuiverClient client =
          QuiverClient.connect(java.net.URI.create("grpc://127.0.0.1:" + node.port()))) {
        assertThat(client.datasets())
            .extracting(d -> d.name() + "=" + d.rows())
            .isEqualTo(List.of("answers=42"));
      }
    }
  }

  @Test
  void securityFlagsSetTheAuthAndTlsProperties() {
    QuiverServerMain serve = new QuiverServerMain();
    new CommandLine(serve)
        .parseArgs(
            "--tls-cert", "node.pem",
            "--tls-key", "node-key.pem",
            "--tls-ca", "ca.pem",
            "--users", "users.htpasswd",
            "--grants", "grants.yml",
            "--jwks-url", "https://login.example.com/certs",
            "--jwt-issuer", "https://login.example.com",
            "--jwt-audience", "quiver");
    assertThat(serve.properties())
        .containsEntry("quiver.tls-cert-chain", "node.pem")
        .containsEntry("quiver.tls-private-key", "node-key.pem")
        .containsEntry("quiver.tls-trusted-certificates", "ca.pem")
        .containsEntry("quiver.auth-users-file", "users.htpasswd")
        .containsEntry("quiver.auth-grants-file", "grants.yml")
        .containsEntry("quiver.auth-jwks", "https://login.example.com/certs")
        .containsEntry("quiver.auth-jwt-issuer", "https://login.example.com")
        .containsEntry("quiver.auth-jwt-audience", "quiver");
  }
}
