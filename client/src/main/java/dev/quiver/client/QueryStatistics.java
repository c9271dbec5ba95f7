package dev.quiver.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the servers report about a query, added up over its endpoints: scan counters (files, row
 * groups and pages considered and skipped at each pruning level, bytes read, rows decoded and
 * returned), and for a distributed aggregation also its labels (query id, strategy), one entry per
 * node with that node's stage counters, and one per operator of its stage plan with what it did on
 * all nodes. Names are the server's (for example {@code rowGroupsSkippedByStatistics}); a counter
 * the server did not send reads 0.
 *
 * @param counters numeric values, summed over endpoints
 * @param labels text values such as {@code query} and {@code strategy}
 * @param peers per-node counters of a distributed query, in the coordinator's node order
 * @param operators per-operator counters of a distributed query, stage by stage in the order they
 *     ran, each stage's operators from its output down to its inputs
 */
public record QueryStatistics(
    Map<String, Long> counters,
    Map<String, String> labels,
    List<PeerStatistics> peers,
    List<OperatorStatistics> operators) {
  public static final QueryStatistics EMPTY =
      new QueryStatistics(Map.of(), Map.of(), List.of(), List.of());
  private static final ObjectMapper JSON = new ObjectMapper();

  public QueryStatistics {
    counters = Collections.unmodifiableMap(new LinkedHashMap<>(counters));
    labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    peers = List.copyOf(peers);
    operators = List.copyOf(operators);
  }

  public QueryStatistics(
      Map<String, Long> counters, Map<String, String> labels, List<PeerStatistics> peers) {
    this(counters, labels, peers, List.of());
  }

  public QueryStatistics(Map<String, Long> counters) {
    this(counters, Map.of(), List.of());
  }

  /**
   * What one operator of a distributed query's plan did, on all the nodes that ran it.
   *
   * @param stage the stage it ran in
   * @param depth how deep it sits in its stage's plan (0: the stage's output)
   * @param operator the operator as {@code EXPLAIN} prints it
   * @param millis its time, its inputs' taken out, summed over the threads that ran it
   */
  public record OperatorStatistics(
      int stage, int depth, String operator, long rows, long batches, long millis) {}

  /**
   * One node's part of a distributed query.
   *
   * @param peer the node's address
   * @param counters its counters: rowsScanned, partialGroups, bytesOut, bytesIn, scanMillis, ...
   */
  public record PeerStatistics(String peer, Map<String, Long> counters) {
    public PeerStatistics {
      counters = Collections.unmodifiableMap(new LinkedHashMap<>(counters));
    }

    public long get(String counter) {
      return counters.getOrDefault(counter, 0L);
    }
  }

  /** Parses the JSON object a server sends; unparseable metadata counts as nothing. */
  static QueryStatistics parse(byte[] json) {
    if (json == null || json.length == 0) {
      return EMPTY;
    }
    try {
      JsonNode root = JSON.readTree(json);
      if (root == null || !root.isObject()) {
        return EMPTY;
      }
      Map<String, Long> counters = new LinkedHashMap<>();
      Map<String, String> labels = new LinkedHashMap<>();
      List<PeerStatistics> peers = new ArrayList<>();
      List<OperatorStatistics> operators = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        JsonNode value = field.getValue();
        if (value.isIntegralNumber()) {
          counters.put(field.getKey(), value.asLong());
        } else if (value.isTextual()) {
          labels.put(field.getKey(), value.asText());
        } else if (field.getKey().equals("peers") && value.isArray()) {
          for (JsonNode peer : value) {
            Map<String, Long> peerCounters = new LinkedHashMap<>();
            peer.fields()
                .forEachRemaining(
                    f -> {
                      if (f.getValue().isIntegralNumber()) {
                        peerCounters.put(f.getKey(), f.getValue().asLong());
                      }
                    });
            peers.add(new PeerStatistics(peer.path("peer").asText(), peerCounters));
          }
        } else if (field.getKey().equals("operators") && value.isArray()) {
          for (JsonNode operator : value) {
            operators.add(
                new OperatorStatistics(
                    operator.path("stage").asInt(),
                    operator.path("depth").asInt(),
                    operator.path("operator").asText(),
                    operator.path("rows").asLong(),
                    operator.path("batches").asLong(),
                    operator.path("millis").asLong()));
          }
        }
      }
      return new QueryStatistics(counters, labels, peers, operators);
    } catch (IOException e) {
      return EMPTY;
    }
  }

  public long get(String counter) {
    return counters.getOrDefault(counter, 0L);
  }

  /** A text value, such as {@code strategy} ("gather" or "shuffle"), or null. */
  public String label(String name) {
    return labels.get(name);
  }

  public QueryStatistics plus(QueryStatistics other) {
    Map<String, Long> sum = new LinkedHashMap<>(counters);
    other.counters.forEach((name, value) -> sum.merge(name, value, Long::sum));
    Map<String, String> allLabels = new LinkedHashMap<>(labels);
    allLabels.putAll(other.labels);
    List<PeerStatistics> allPeers = new ArrayList<>(peers);
    allPeers.addAll(other.peers);
    List<OperatorStatistics> allOperators = new ArrayList<>(operators);
    allOperators.addAll(other.operators);
    return new QueryStatistics(sum, allLabels, allPeers, allOperators);
  }
}
