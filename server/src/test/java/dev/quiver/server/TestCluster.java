package dev.quiver.server;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.Location;

/**
 * Real nodes started in-process on ephemeral ports and told about each other: node {@code i} serves
 * {@code datasets.get(i)}. Closing the cluster stops every node and checks each for leaks.
 */
public final class TestCluster implements AutoCloseable {
  private final List<TestNode> nodes = new ArrayList<>();
  private final java.util.Set<Integer> stopped = new java.util.HashSet<>();
  private final List<Map<String, String>> datasets = new ArrayList<>();
  private Map<String, Object> properties = Map.of();

  private TestCluster() {}

  /** Starts one node per entry of {@code datasets}, all with {@code properties}. */
  public static TestCluster start(
      List<Map<String, String>> datasets, Map<String, Object> properties) {
    TestCluster cluster = new TestCluster();
    cluster.datasets.addAll(datasets);
    cluster.properties = Map.copyOf(properties);
    try {
      for (Map<String, String> served : datasets) {
        cluster.nodes.add(TestNode.start(served, properties));
      }
      List<Location> all = cluster.nodes.stream().map(n -> n.node().cluster().self()).toList();
      cluster.nodes.forEach(n -> n.node().cluster().setPeers(all));
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  public TestNode node(int index) {
    return nodes.get(index);
  }

  public List<TestNode> nodes() {
    return nodes;
  }

  /** Where a client reaches node {@code index}. */
  public URI uri(int index) {
    return nodes.get(index).uri();
  }

  /** Stops node {@code index} now, as a crash would (its leak check runs here). */
  public void stop(int index) {
    stopped.add(index);
    nodes.get(index).close();
  }

  /**
   * Stops node {@code index} (its leak check runs here) and starts a new node in its place: the
   * same datasets and properties, the same port; every node is told the cluster's addresses again.
   */
  public void restart(int index) {
    int port = nodes.get(index).node().port();
    nodes.get(index).close();
    Map<String, Object> again = new java.util.HashMap<>(properties);
    again.put("quiver.port", port);
    nodes.set(index, TestNode.start(datasets.get(index), again));
    List<Location> all = nodes.stream().map(n -> n.node().cluster().self()).toList();
    nodes.forEach(n -> n.node().cluster().setPeers(all));
  }

  @Override
  public void close() {
    AssertionError failure = null;
    for (int i = 0; i < nodes.size(); i++) {
      if (stopped.contains(i)) {
        continue;
      }
      try {
        nodes.get(i).close();
      } catch (AssertionError e) {
        failure = failure == null ? e : failure;
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
