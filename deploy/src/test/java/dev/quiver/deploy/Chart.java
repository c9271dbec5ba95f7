package dev.quiver.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The chart in {@code helm/quiver}, rendered by Helm itself (helm-java bundles it), as the objects
 * Kubernetes would receive.
 *
 * @param objects every rendered object, in order
 */
record Chart(List<JsonNode> objects) {
  static final Path DIRECTORY = Path.of("..", "helm", "quiver").toAbsolutePath().normalize();
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** The Kubernetes version rendered for: gRPC probes need 1.24 or newer (the chart says so). */
  static final String KUBERNETES = "1.30.0";

  /**
   * Renders the chart as release {@code quiver} in namespace {@code data} with {@code values}, on a
   * trusted network ({@code security.allowUnauthenticated=true}) unless they say otherwise.
   */
  static Chart render(Map<String, Object> values) {
    boolean saysSecurity = values.keySet().stream().anyMatch(k -> k.startsWith("security."));
    if (saysSecurity) {
      return renderExactly(values);
    }
    Map<String, Object> trusted = new java.util.LinkedHashMap<>(values);
    trusted.put("security.allowUnauthenticated", true);
    return renderExactly(trusted);
  }

  /** Renders the chart with {@code values} and nothing else. */
  static Chart renderExactly(Map<String, Object> values) {
    return renderExactly(values, null);
  }

  /**
   * Renders the chart with the values file {@code valuesFile} (for lists and maps, which {@code
   * --set} passes as strings), if not null, then {@code values}.
   */
  static Chart renderExactly(Map<String, Object> values, java.nio.file.Path valuesFile) {
    TemplateCommand template =
        new Helm(DIRECTORY)
            .template()
            .withName("quiver")
            .withNamespace("data")
            .withKubeVersion(KUBERNETES);
    if (valuesFile != null) {
      template.withValuesFile(valuesFile);
    }
    values.forEach(template::set);
    return new Chart(parse(template.call()));
  }

  private static List<JsonNode> parse(String manifests) {
    List<JsonNode> objects = new ArrayList<>();
    try (MappingIterator<JsonNode> documents =
        YAML.readerFor(JsonNode.class).readValues(manifests)) {
      while (documents.hasNext()) {
        JsonNode document = documents.next();
        if (document != null && !document.isNull() && !document.isEmpty()) {
          objects.add(document);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return objects;
  }

  /** The one object of {@code kind} named {@code name}. */
  JsonNode get(String kind, String name) {
    return objects.stream()
        .filter(o -> o.path("kind").asText().equals(kind))
        .filter(o -> o.path("metadata").path("name").asText().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("No " + kind + " " + name + " in " + kinds()));
  }

  List<String> kinds() {
    return objects.stream()
        .map(o -> o.path("kind").asText() + "/" + o.path("metadata").path("name").asText())
        .toList();
  }

  /** The node configuration the chart's ConfigMap mounts, as YAML text and parsed. */
  String nodeConfigText() {
    return get("ConfigMap", "quiver").path("data").path("quiver.yml").asText();
  }

  JsonNode nodeConfig() {
    try {
      return YAML.readTree(nodeConfigText()).path("quiver");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The node container of the StatefulSet. */
  JsonNode container() {
    return get("StatefulSet", "quiver")
        .path("spec")
        .path("template")
        .path("spec")
        .path("containers")
        .get(0);
  }

  /** The container's environment, name to value (values taken from fields are absent). */
  Map<String, String> env() {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    for (JsonNode variable : container().path("env")) {
      if (variable.has("value")) {
        env.put(variable.path("name").asText(), variable.path("value").asText());
      }
    }
    return env;
  }
}
