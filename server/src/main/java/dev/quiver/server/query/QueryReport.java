package dev.quiver.server.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.server.query.FragmentProtocol.ShuffleReport;
import dev.quiver.server.query.FragmentProtocol.TaskReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.arrow.flight.Location;

/**
 * What a distributed query did, per node and in all: rows scanned, partial groups, bytes shuffled
 * out and in, milliseconds per stage, and the strategy. Sent to the client as the JSON metadata of
 * the stream's last message and logged with the query id.
 */
public final class QueryReport {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String queryId;
  private final List<String> addresses = new ArrayList<>();
  private final List<Map<String, Object>> nodes = new ArrayList<>();
  private final Map<String, Long> scan = new LinkedHashMap<>();
  private StageScheduler.Strategy strategy;
  private long rowsReturned;
  private List<Map<String, Object>> operators = List.of();

  QueryReport(String queryId, List<Location> members) {
    this.queryId = queryId;
    for (Location member : members) {
      String address = member.getUri().toString();
      addresses.add(address);
      Map<String, Object> node = new LinkedHashMap<>();
      node.put("peer", address);
      node.put("rowsScanned", 0L);
      node.put("partialGroups", 0L);
      node.put("partialBytes", 0L);
      node.put("bytesOut", 0L);
      node.put("bytesByDescriptor", 0L);
      node.put("bytesIn", 0L);
      node.put("finalGroups", 0L);
      node.put("scanMillis", 0L);
      node.put("shuffleMillis", 0L);
      node.put("finalMillis", 0L);
      nodes.add(node);
    }
  }

  public String queryId() {
    return queryId;
  }

  public StageScheduler.Strategy strategy() {
    return strategy;
  }

  void strategy(StageScheduler.Strategy chosen) {
    strategy = chosen;
  }

  void rowsReturned(long rows) {
    rowsReturned = rows;
  }

  /**
   * What each operator of the stage plan did on all nodes: {@code stage}, {@code depth}, {@code
   * operator} (as EXPLAIN prints it), {@code rows}, {@code batches}, {@code millis}.
   */
  void operators(List<Map<String, Object>> counted) {
    operators = List.copyOf(counted);
  }

  /** What the task that scanned on node {@code member} kept: its rows are the partial groups. */
  void scanned(int member, TaskReport report) {
    Map<String, Object> node = nodes.get(member);
    // A query with several scanning stages (a join's inputs) adds each stage's part.
    add(node, "rowsScanned", report.scan().getOrDefault("rowsDecoded", 0L));
    add(node, "partialGroups", report.rows());
    add(node, "partialBytes", report.bytes());
    add(node, "scanMillis", report.millis());
    report.scan().forEach((name, value) -> scan.merge(name, value, Long::sum));
  }

  private static void add(Map<String, Object> node, String name, long value) {
    node.merge(name, value, (a, b) -> ((Number) a).longValue() + ((Number) b).longValue());
  }

  void shuffle(ShuffleReport report) {
    if (report == null) {
      return;
    }
    int sender = addresses.indexOf(report.peer());
    long out = 0;
    for (Map.Entry<String, Long> sent : report.bytesTo().entrySet()) {
      if (!sent.getKey().equals(report.peer())) {
        out += sent.getValue();
        int owner = addresses.indexOf(sent.getKey());
        if (owner >= 0) {
          add(owner, "bytesIn", sent.getValue());
        }
      }
    }
    if (sender >= 0) {
      add(sender, "bytesOut", out);
      add(sender, "bytesByDescriptor", report.descriptorBytes());
      nodes.get(sender).put("shuffleMillis", report.millis());
    }
  }

  void finalStage(int member, long groups, long millis) {
    if (member >= 0) {
      add(member, "finalGroups", groups);
      add(member, "finalMillis", millis);
    }
  }

  private void add(int member, String counter, long value) {
    nodes.get(member).merge(counter, value, (a, b) -> (Long) a + (Long) b);
  }

  /** The report as one JSON object: totals first, then {@code peers}, one object per node. */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("query", queryId);
    map.put("strategy", strategy == null ? null : strategy.name().toLowerCase(Locale.ROOT));
    map.put("nodes", (long) nodes.size());
    map.putAll(scan);
    map.put("partialGroups", sum("partialGroups"));
    map.put("bytesShuffled", sum("bytesOut"));
    map.put("bytesShuffledByDescriptor", sum("bytesByDescriptor"));
    map.put("rowsReturned", rowsReturned);
    map.put("peers", nodes);
    if (!operators.isEmpty()) {
      map.put("operators", operators);
    }
    return map;
  }

  private long sum(String counter) {
    return nodes.stream().mapToLong(n -> (Long) n.get(counter)).sum();
  }

  public byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(toMap());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot encode the report of query " + queryId, e);
    }
  }

  @Override
  public String toString() {
    return toMap().toString();
  }
}
