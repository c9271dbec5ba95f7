package dev.quiver.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The scan counters of a query, added up over its endpoints: files, row groups and pages considered
 * and skipped at each pruning level, bytes read, rows decoded and returned. Names are the server's
 * (for example {@code rowGroupsSkippedByStatistics}); a counter the server did not send reads 0.
 */
public record QueryStatistics(Map<String, Long> counters) {
  public static final QueryStatistics EMPTY = new QueryStatistics(Map.of());
  private static final ObjectMapper JSON = new ObjectMapper();

  public QueryStatistics {
    counters = Collections.unmodifiableMap(new LinkedHashMap<>(counters));
  }

  /** Parses the JSON object a server sends; unparseable metadata counts as nothing. */
  static QueryStatistics parse(byte[] json) {
    if (json == null || json.length == 0) {
      return EMPTY;
    }
    try {
      return new QueryStatistics(JSON.readValue(json, new TypeReference<Map<String, Long>>() {}));
    } catch (IOException e) {
      return EMPTY;
    }
  }

  public long get(String counter) {
    return counters.getOrDefault(counter, 0L);
  }

  public QueryStatistics plus(QueryStatistics other) {
    Map<String, Long> sum = new LinkedHashMap<>(counters);
    other.counters.forEach((name, value) -> sum.merge(name, value, Long::sum));
    return new QueryStatistics(sum);
  }
}
