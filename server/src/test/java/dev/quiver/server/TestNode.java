package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.server.flight.FlightNode;
import io.micronaut.context.ApplicationContext;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;

/**
 * A real node started in-process on an ephemeral port. Closing it stops the node and then asserts
 * that the root allocator holds no memory: every test that uses a node is a leak check.
 */
public final class TestNode implements AutoCloseable {
  private final ApplicationContext context;
  private final FlightNode node;
  private final BufferAllocator root;

  private TestNode(ApplicationContext context) {
    this.context = context;
    this.node = context.getBean(FlightNode.class);
    this.root = context.getBean(BufferAllocator.class);
  }

  /** Starts a node serving {@code datasets} (name to location) with extra properties. */
  public static TestNode start(Map<String, String> datasets, Map<String, Object> properties) {
    Map<String, Object> all = new HashMap<>();
    all.put("quiver.host", "127.0.0.1");
    all.put("quiver.port", 0);
    all.put("quiver.shutdown-grace", "2s");
    all.put("quiver.metrics-port", 0);
    datasets.forEach((name, location) -> all.put("quiver.datasets." + name, location));
    all.putAll(properties);
    return new TestNode(ApplicationContext.run(all));
  }

  public static TestNode start(Map<String, String> datasets) {
    return start(datasets, Map.of());
  }

  public URI uri() {
    return URI.create("grpc://127.0.0.1:" + node.port());
  }

  public FlightNode node() {
    return node;
  }

  public BufferAllocator rootAllocator() {
    return root;
  }

  @Override
  public void close() {
    node.close();
    long leaked = root.getAllocatedMemory();
    String allocators = root.toVerboseString();
    context.close();
    assertThat(leaked).as("bytes still allocated after the node stopped: %s", allocators).isZero();
  }
}
