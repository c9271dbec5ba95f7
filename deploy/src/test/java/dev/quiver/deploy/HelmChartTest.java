package dev.quiver.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart lints strictly and renders what a Quiver cluster needs: a StatefulSet whose pods find
 * each other through a headless Service, gRPC health probes on the Flight port, memory settings
 * derived from the limits, a disruption budget and a locked-down security context; its values are
 * validated by the schema.
 */
class HelmChartTest {
  private static final String HEADLESS = "quiver-headless";

  @Test
  void lintsStrictlyWithDefaultAndOtherValues() {
    LintResult lint = new Helm(Chart.DIRECTORY).lint().strict().call();
    assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    assertThat(lint.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
  }

  @Test
  void refusesToRenderNodesAnyoneCanReadUnlessExplicitlyAllowed() {
    assertThatThrownBy(() -> Chart.renderExactly(Map.of()))
        .hasMessageContaining("security.auth.secretName")
        .hasMessageContaining("security.allowUnauthenticated");
  }

  @Test
  void tlsAndAuthComeFromSecretsAndTheNodesAdvertiseTls() {
    Chart chart =
        Chart.render(
            Map.of(
                "security.tls.secretName", "quiver-tls",
                "security.auth.secretName", "quiver-auth"));
    JsonNode config = chart.nodeConfig();
    assertThat(config.path("tls-cert-chain").asText()).isEqualTo("/etc/quiver-tls/tls.crt");
    assertThat(config.path("tls-private-key").asText()).isEqualTo("/etc/quiver-tls/tls.key");
    assertThat(config.path("tls-trusted-certificates").asText())
        .isEqualTo("/etc/quiver-tls/ca.crt");
    assertThat(config.path("auth-users-file").asText()).isEqualTo("/etc/quiver-auth/users");
    assertThat(chart.env().get("QUIVER_ADVERTISE")).startsWith("grpc+tls://");
    String pod = chart.get("StatefulSet", "quiver").path("spec").path("template").toString();
    assertThat(pod)
        .contains("\"secretName\":\"quiver-tls\"")
        .contains("\"secretName\":\"quiver-auth\"")
        .contains("\"key\":\"cluster-secret\"")
        .contains("\"tcpSocket\"")
        .doesNotContain("\"grpc\":{");
  }

  @Test
  void certManagerIssuesTheSecretTheNodesReadNamingEveryPod() {
    Chart chart =
        Chart.render(
            Map.of(
                "security.auth.secretName", "quiver-auth",
                "security.tls.secretName", "quiver-tls",
                "security.tls.certManager.enabled", true,
                "security.tls.certManager.issuerRef.name", "cluster-ca",
                "security.tls.certManager.issuerRef.kind", "ClusterIssuer"));
    JsonNode spec = chart.get("Certificate", "quiver").path("spec");
    assertThat(spec.path("secretName").asText()).isEqualTo("quiver-tls");
    assertThat(spec.path("privateKey").path("encoding").asText()).isEqualTo("PKCS8");
    assertThat(spec.path("issuerRef").path("kind").asText()).isEqualTo("ClusterIssuer");
    List<String> usages = new ArrayList<>();
    spec.path("usages").forEach(u -> usages.add(u.asText()));
    // One certificate for serving and for presenting to peers (mutual TLS).
    assertThat(usages).contains("server auth", "client auth");
    assertThat(chart.nodeConfig().path("tls-trusted-certificates").asText())
        .isEqualTo("/etc/quiver-tls/ca.crt");
    List<String> names = new ArrayList<>();
    spec.path("dnsNames").forEach(n -> names.add(n.asText()));
    assertThat(names)
        .contains(
            "*.quiver-headless.data.svc.cluster.local",
            "quiver.data.svc.cluster.local",
            "localhost");
    assertThat(chart.nodeConfig().path("tls-cert-chain").asText())
        .isEqualTo("/etc/quiver-tls/tls.crt");
    assertThatThrownBy(
            () ->
                Chart.render(
                    Map.of(
                        "security.tls.certManager.enabled",
                        true,
                        "security.tls.certManager.issuerRef.name",
                        "cluster-ca")))
        .hasMessageContaining("security.tls.secretName");
  }

  @Test
  void aServiceMonitorScrapesEveryNodeWhenEnabled() {
    assertThat(Chart.render(Map.of()).kinds()).doesNotContain("ServiceMonitor/quiver");
    Chart chart =
        Chart.render(
            Map.of(
                "metrics.serviceMonitor.enabled",
                true,
                "metrics.serviceMonitor.labels.release",
                "prometheus"));
    JsonNode monitor = chart.get("ServiceMonitor", "quiver");
    assertThat(monitor.path("metadata").path("labels").path("release").asText())
        .isEqualTo("prometheus");
    JsonNode selected = monitor.path("spec").path("selector").path("matchLabels");
    JsonNode headless = chart.get("Service", HEADLESS).path("metadata").path("labels");
    selected
        .fields()
        .forEachRemaining(
            label ->
                assertThat(headless.path(label.getKey()).asText())
                    .isEqualTo(label.getValue().asText()));
    assertThat(
            chart
                .get("Service", "quiver")
                .path("metadata")
                .path("labels")
                .has("quiver.dev/service"))
        .isFalse();
    assertThat(monitor.path("spec").path("endpoints").get(0).path("port").asText())
        .isEqualTo("metrics");
    assertThat(chart.get("Service", HEADLESS).path("spec").path("ports").toString())
        .contains("\"name\":\"metrics\"")
        .contains("\"port\":9464");
  }

  @Test
  void anOidcIssuerAndDatasetRulesReachTheNodes() {
    Chart chart =
        Chart.render(
            Map.of(
                "security.auth.secretName", "quiver-auth",
                "security.auth.users", false,
                "security.auth.jwt.jwks", "https://login.example.com/certs",
                "security.auth.jwt.issuer", "https://login.example.com",
                "security.auth.jwt.audience", "quiver",
                "security.auth.datasets.salaries", "ana, role:hr"));
    JsonNode config = chart.nodeConfig();
    assertThat(config.has("auth-users-file")).isFalse();
    assertThat(config.path("auth-jwks").asText()).isEqualTo("https://login.example.com/certs");
    assertThat(config.path("auth-jwt-issuer").asText()).isEqualTo("https://login.example.com");
    assertThat(config.path("auth-jwt-audience").asText()).isEqualTo("quiver");
    assertThat(config.path("auth-jwt-user-claim").asText()).isEqualTo("sub");
    assertThat(config.path("auth-datasets").path("salaries").asText()).isEqualTo("ana, role:hr");
    assertThatThrownBy(
            () ->
                Chart.render(
                    Map.of(
                        "security.auth.secretName", "quiver-auth",
                        "security.auth.jwt.jwks", "https://login.example.com/certs")))
        .hasMessageContaining("security.auth.jwt.issuer");
  }

  @Test
  void aGrantsFileIsMountedBesideTheNodeConfiguration(@TempDir Path dir) throws Exception {
    Path values = dir.resolve("values.yaml");
    Files.writeString(
        values,
        """
        security:
          auth:
            grants:
              users: {ana: [trips, sales]}
              roles: {hr: [salaries]}
        """);
    Chart chart = Chart.renderExactly(Map.of("security.auth.secretName", "quiver-auth"), values);
    assertThat(chart.nodeConfig().path("auth-grants-file").asText())
        .isEqualTo("/etc/quiver/grants.yml");
    JsonNode grants =
        new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
            .readTree(chart.get("ConfigMap", "quiver").path("data").path("grants.yml").asText());
    assertThat(grants.path("users").path("ana").toString()).isEqualTo("[\"trips\",\"sales\"]");
    assertThat(grants.path("roles").path("hr").toString()).isEqualTo("[\"salaries\"]");
    assertThat(
            Chart.render(Map.of("security.auth.secretName", "quiver-auth"))
                .nodeConfig()
                .has("auth-grants-file"))
        .isFalse();
  }

  @Test
  void objectStorageTakesHadoopPropertiesAndCredentialsFromASecret() {
    Chart chart =
        Chart.render(
            Map.of(
                "datasets.trips", "s3a://lake/trips/",
                "objectStorage.hadoop.fs\\.s3a\\.endpoint", "http://minio:9000",
                "objectStorage.hadoop.fs\\.s3a\\.path\\.style\\.access", "true",
                "objectStorage.credentialsSecret", "lake-credentials"));
    JsonNode config = chart.nodeConfig();
    assertThat(config.path("datasets").path("trips").asText()).isEqualTo("s3a://lake/trips/");
    assertThat(config.path("hadoop").path("fs.s3a.endpoint").asText())
        .isEqualTo("http://minio:9000");
    assertThat(config.path("hadoop").path("fs.s3a.path.style.access").asText()).isEqualTo("true");
    JsonNode container =
        chart
            .get("StatefulSet", "quiver")
            .path("spec")
            .path("template")
            .path("spec")
            .path("containers")
            .get(0);
    assertThat(container.path("envFrom").get(0).path("secretRef").path("name").asText())
        .isEqualTo("lake-credentials");
    assertThat(Chart.render(Map.of()).nodeConfig().has("hadoop")).isFalse();
  }

  @Test
  void defaultsAreAThreeNodePeerLocalCluster() {
    Chart chart = Chart.render(Map.of());
    assertThat(chart.kinds())
        .containsExactlyInAnyOrder(
            "PodDisruptionBudget/quiver",
            "ConfigMap/quiver",
            "Service/quiver-headless",
            "Service/quiver",
            "StatefulSet/quiver");
    for (JsonNode object : chart.objects()) {
      JsonNode labels = object.path("metadata").path("labels");
      assertThat(labels.path("app.kubernetes.io/name").asText()).isEqualTo("quiver");
      assertThat(labels.path("app.kubernetes.io/instance").asText()).isEqualTo("quiver");
      assertThat(labels.path("app.kubernetes.io/managed-by").asText()).isEqualTo("Helm");
      assertThat(labels.path("helm.sh/chart").asText()).isEqualTo("quiver-0.1.0");
    }

    JsonNode headless = chart.get("Service", HEADLESS).path("spec");
    assertThat(headless.path("clusterIP").asText()).isEqualTo("None");
    assertThat(headless.path("publishNotReadyAddresses").asBoolean()).isTrue();
    assertThat(headless.path("ports").get(0).path("port").asInt()).isEqualTo(8815);
    assertThat(chart.get("Service", "quiver").path("spec").path("type").asText())
        .isEqualTo("ClusterIP");

    JsonNode statefulSet = chart.get("StatefulSet", "quiver").path("spec");
    assertThat(statefulSet.path("replicas").asInt()).isEqualTo(3);
    assertThat(statefulSet.path("serviceName").asText()).isEqualTo(HEADLESS);
    assertThat(statefulSet.path("podManagementPolicy").asText()).isEqualTo("Parallel");
    assertThat(
            statefulSet
                .path("selector")
                .path("matchLabels")
                .path("app.kubernetes.io/name")
                .asText())
        .isEqualTo("quiver");
    assertThat(
            statefulSet
                .path("volumeClaimTemplates")
                .get(0)
                .path("spec")
                .path("resources")
                .path("requests")
                .path("storage")
                .asText())
        .isEqualTo("10Gi");

    // Every pod advertises its stable DNS name; every node finds the others through the headless
    // Service's records, so the configuration does not change with the replica count.
    assertThat(chart.env())
        .containsEntry(
            "QUIVER_ADVERTISE",
            "grpc://$(POD_NAME).quiver-headless.$(POD_NAMESPACE).svc.cluster.local:8815")
        .containsEntry("MICRONAUT_CONFIG_FILES", "/etc/quiver/quiver.yml");
    JsonNode config = chart.nodeConfig();
    assertThat(config.path("peers-dns").asText())
        .isEqualTo("quiver-headless.data.svc.cluster.local");
    assertThat(config.path("peers-dns-interval").asText()).isEqualTo("10s");
    assertThat(config.has("peers")).isFalse();
    assertThat(config.path("port").asInt()).isEqualTo(8815);

    JsonNode container = chart.container();
    assertThat(container.path("image").asText()).isEqualTo("ghcr.io/quiver-dev/quiver:0.1.0");
    assertThat(container.path("args").get(0).asText()).isEqualTo("serve");
    assertThat(container.path("ports").get(0).path("containerPort").asInt()).isEqualTo(8815);
    for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
      assertThat(container.path(probe).path("grpc").path("port").asInt()).as(probe).isEqualTo(8815);
    }
    assertThat(container.path("resources").path("limits").path("memory").asText()).isEqualTo("4Gi");
    assertThat(container.path("resources").path("requests").path("cpu").asText()).isEqualTo("1");
    // 4 GiB: a fifth for the heap, 45% (1,843 MiB) for Arrow, of which the root allocator gets
    // 90%; the rest for native memory neither counts (chunks and pages being read) and shm.
    assertThat(chart.env().get("QUIVER_JAVA_OPTS"))
        .contains(
            "-XX:MaxRAMPercentage=20", "-XX:G1HeapRegionSize=16m", "-XX:MaxDirectMemorySize=1843m");
    assertThat(config.path("memory-limit").asText()).isEqualTo("1658MB");
    assertThat(config.path("query-memory-limit").asText()).isEqualTo("921MB");
    // Prometheus scrapes each pod's metrics port.
    assertThat(config.path("metrics-port").asInt()).isEqualTo(9464);
    JsonNode annotations =
        chart
            .get("StatefulSet", "quiver")
            .path("spec")
            .path("template")
            .path("metadata")
            .path("annotations");
    assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
    assertThat(annotations.path("prometheus.io/port").asText()).isEqualTo("9464");
    // Spill to the node's disk, shared memory in a memory-backed /dev/shm.
    assertThat(config.path("spill-directory").asText()).isEqualTo("/var/quiver/spill");
    assertThat(config.path("shm-directory").asText()).isEqualTo("/dev/shm/quiver");
    assertThat(config.path("shm-capacity").asText()).isEqualTo("512MB");
    JsonNode volumes = chart.get("StatefulSet", "quiver").path("spec").path("template");
    assertThat(volumes.toString())
        .contains("\"mountPath\":\"/var/quiver/spill\"")
        .contains("\"mountPath\":\"/dev/shm\"")
        .contains("\"medium\":\"Memory\"");

    JsonNode security = container.path("securityContext");
    assertThat(security.path("readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(security.path("allowPrivilegeEscalation").asBoolean()).isFalse();
    assertThat(security.path("capabilities").path("drop").get(0).asText()).isEqualTo("ALL");
    JsonNode pod = chart.get("StatefulSet", "quiver").path("spec").path("template").path("spec");
    assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.path("securityContext").path("runAsUser").asInt()).isEqualTo(10001);
    // 20 s of draining after a 5 s preStop pause, plus margin.
    assertThat(pod.path("terminationGracePeriodSeconds").asInt()).isEqualTo(35);
    assertThat(container.path("lifecycle").path("preStop").path("exec").path("command").toString())
        .contains("sleep");
    assertThat(
            pod.path("affinity")
                .path("podAntiAffinity")
                .has("preferredDuringSchedulingIgnoredDuringExecution"))
        .isTrue();
    assertThat(
            chart.get("PodDisruptionBudget", "quiver").path("spec").path("maxUnavailable").asInt())
        .isEqualTo(1);
  }

  @Test
  void otherValuesGiveASharedCluster() {
    Chart chart =
        Chart.render(
            Map.of(
                "replicaCount", 5,
                "placement", "shared",
                "data.shared.existingClaim", "lake",
                "datasets.trips", "/data/trips",
                "datasets.event_types", "/data/types/*.parquet",
                "service.type", "LoadBalancer",
                "antiAffinity", "hard",
                "resources.limits.memory", "8Gi",
                "podDisruptionBudget.enabled", false,
                "image.tag", "1.2.3"));
    assertThat(chart.kinds()).doesNotContain("PodDisruptionBudget/quiver");
    JsonNode statefulSet = chart.get("StatefulSet", "quiver").path("spec");
    assertThat(statefulSet.path("replicas").asInt()).isEqualTo(5);
    assertThat(statefulSet.has("volumeClaimTemplates")).isFalse();
    JsonNode pod = statefulSet.path("template").path("spec");
    JsonNode data =
        java.util.stream.StreamSupport.stream(pod.path("volumes").spliterator(), false)
            .filter(v -> v.path("name").asText().equals("data"))
            .findFirst()
            .orElseThrow();
    assertThat(data.path("persistentVolumeClaim").path("claimName").asText()).isEqualTo("lake");
    assertThat(data.path("persistentVolumeClaim").path("readOnly").asBoolean()).isTrue();
    assertThat(
            pod.path("affinity")
                .path("podAntiAffinity")
                .has("requiredDuringSchedulingIgnoredDuringExecution"))
        .isTrue();
    assertThat(chart.container().path("image").asText()).endsWith(":1.2.3");
    assertThat(chart.get("Service", "quiver").path("spec").path("type").asText())
        .isEqualTo("LoadBalancer");
    assertThat(chart.env().get("QUIVER_JAVA_OPTS")).contains("-XX:MaxDirectMemorySize=3686m");

    JsonNode config = chart.nodeConfig();
    assertThat(chart.get("StatefulSet", "quiver").path("spec").path("replicas").asInt())
        .isEqualTo(5);
    assertThat(config.path("peers-dns").asText()).startsWith("quiver-headless.");
    // Scaling leaves the configuration, and so the pods that stay, as they are.
    assertThat(Chart.render(Map.of("replicaCount", 5)).nodeConfigText())
        .isEqualTo(Chart.render(Map.of("replicaCount", 3)).nodeConfigText());
    assertThat(config.path("datasets").path("trips").asText()).isEqualTo("/data/trips");
    assertThat(config.path("datasets").path("event_types").asText())
        .isEqualTo("/data/types/*.parquet");
    List<String> shared = new ArrayList<>();
    config.path("shared-datasets").forEach(d -> shared.add(d.asText()));
    assertThat(shared).containsExactlyInAnyOrder("trips", "event_types");
  }

  @Test
  void invalidValuesAreRejectedNamingTheValue() {
    assertThatThrownBy(() -> Chart.render(Map.of("placement", "everywhere")))
        .hasMessageContaining("placement");
    assertThatThrownBy(() -> Chart.render(Map.of("replicaCount", 0)))
        .hasMessageContaining("replicaCount");
    assertThatThrownBy(
            () -> Chart.render(Map.of("jvm.heapPercent", 40, "jvm.directMemoryPercent", 50)))
        .hasMessageContaining("jvm.heapPercent (40) + jvm.directMemoryPercent (50) is above 80");
    assertThatThrownBy(() -> Chart.render(Map.of("resources.limits.memory", "4.5Gi")))
        .hasMessageContaining("memory");
    assertThatThrownBy(() -> Chart.render(Map.of("antiAffinity", "sometimes")))
        .hasMessageContaining("antiAffinity");
    assertThatThrownBy(() -> Chart.render(Map.of("replicas", 3))).hasMessageContaining("replicas");
    assertThatThrownBy(() -> Chart.render(Map.of("placement", "shared")))
        .hasMessageContaining("data.shared.existingClaim or data.shared.hostPath");
  }
}
