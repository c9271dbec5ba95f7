package dev.quiver.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The image (no Docker engine here to build it) is checked against what the build produces and what
 * the chart expects: it copies files that exist after {@code mvn package}, runs the README's
 * launcher as a non-root user with the same id the chart's security context uses, and exposes the
 * Flight port.
 */
class DockerfileTest {
  private static final Path DOCKERFILE = LaunchedNodeTest.ROOT.resolve("deploy/Dockerfile");

  @Test
  void imageRunsTheLauncherAsTheChartsNonRootUser() throws Exception {
    String dockerfile = Files.readString(DOCKERFILE);
    Matcher copies = Pattern.compile("COPY --from=build /src/(\\S+) ").matcher(dockerfile);
    int copied = 0;
    while (copies.find()) {
      assertThat(LaunchedNodeTest.ROOT.resolve(copies.group(1))).as(copies.group(1)).exists();
      copied++;
    }
    assertThat(copied).isEqualTo(5);
    assertThat(dockerfile)
        .contains("ENTRYPOINT [\"/opt/quiver/quiver\"]")
        .contains("CMD [\"serve\"]")
        .contains("USER 10001:10001")
        .contains("EXPOSE 8815")
        .containsPattern("FROM eclipse-temurin:(17|21|25)-jre");

    Chart chart = Chart.render(Map.of());
    assertThat(chart.container().path("args").get(0).asText()).isEqualTo("serve");
    var pod = chart.get("StatefulSet", "quiver").path("spec").path("template").path("spec");
    assertThat(pod.path("securityContext").path("runAsUser").asInt()).isEqualTo(10001);
    assertThat(pod.path("securityContext").path("runAsGroup").asInt()).isEqualTo(10001);
    // The launcher gives every JVM Arrow's flags; the image and chart only add memory settings.
    assertThat(Files.readString(LaunchedNodeTest.ROOT.resolve("quiver")))
        .contains("--add-opens=java.base/java.nio=org.apache.arrow.memory.core,ALL-UNNAMED");
    assertThat(List.of(dockerfile.split("\n")))
        .anyMatch(
            line ->
                line.contains("QUIVER_JAVA_OPTS")
                    && line.contains("MaxRAMPercentage")
                    && line.contains("G1HeapRegionSize=16m"));
  }
}
