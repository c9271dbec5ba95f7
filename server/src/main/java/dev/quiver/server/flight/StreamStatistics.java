package dev.quiver.server.flight;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.parquet.scan.ScanStatistics;

/**
 * The scan statistics a stream sends as its last message (application metadata without a batch),
 * and a query's {@code FlightInfo} carries for the files pruned while planning: a JSON object of
 * counters named as in {@link ScanStatistics}. Clients add up the objects of all endpoints.
 */
final class StreamStatistics {
  private static final ObjectMapper JSON = new ObjectMapper();

  private StreamStatistics() {}

  static byte[] toJson(ScanStatistics statistics) {
    try {
      return JSON.writeValueAsBytes(statistics);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot encode " + statistics, e);
    }
  }
}
