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
 * returned), and for a distributed aggregation also its labels (query id, strategy) and one entry
 * per node with that node's stage counters. Names are the server's (for example {@code
 * rowGroupsSkippedByStatistics}); a counter the server did not send reads 0.
 *
 * @param counters numeric values, summed over endpoints
 * @param labels text values such as {@code query} and {@code strategy}
 * @param peers per-node counters of a distributed query, in the coordinator's node order
 */
public record QueryStatistics(
    Map<String, Long> counters, Map<String, String> labels, List<PeerStatistics> peers) {
  public static final QueryStatistics EMPTY = new QueryStatistics(Map.of(), Map.of(), List.of());
  private static final ObjectMapper JSON = new ObjectMapper();

  public QueryStatistics {
    counters = Collections.unmodifiableMap(new LinkedHashMap<>(counters));
    labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    peers = List.copyOf(peers);
  }

  public QueryStatistics(Map<String, Long> counters) {
    this(counters, Map.of(), List.of());
  }

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
        }
      }
      return new QueryStatistics(counters, labels, peers);
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
    return new QueryStatistics(sum, allLabels, allPeers);
  }
}
