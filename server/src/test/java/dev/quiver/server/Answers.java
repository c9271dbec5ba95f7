package dev.quiver.server;

import dev.quiver.client.BatchStream;
import dev.quiver.client.QuiverClient;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** A query's answer from a Quiver server, in canonical rows ({@link CanonicalRows}). */
final class Answers {
  private Answers() {}

  /** The answer's rows sorted by their text: for answers whose order is not defined. */
  static List<String> sorted(URI server, String sql) throws Exception {
    try (QuiverClient client = QuiverClient.connect(server);
        BatchStream stream = client.query(sql)) {
      return CanonicalRows.of(stream);
    }
  }

  /** The answer's rows in the order they arrived. */
  static List<String> inOrder(URI server, String sql) throws Exception {
    List<String> rows = new ArrayList<>();
    try (QuiverClient client = QuiverClient.connect(server);
        BatchStream stream = client.query(sql)) {
      while (stream.next()) {
        rows.addAll(CanonicalRows.of(stream.root()));
      }
    }
    return rows;
  }
}
