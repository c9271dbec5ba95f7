package dev.quiver.server.query;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.ticket.ScanTicket;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The messages between a coordinator and the nodes that run a query's fragments, as JSON. Arrow
 * data never goes through here: partial and final results travel as Arrow record batches in {@code
 * DoGet} and {@code DoPut} streams; these are the requests, tickets and reports around them.
 */
public final class FragmentProtocol {
  /** Action: scan this node's part with the query's filter and aggregate it partially. */
  public static final String PARTIAL = "fragment.partial";

  /** Action: hash-partition the partial result and send each partition to its owner. */
  public static final String SHUFFLE = "fragment.shuffle";

  /**
   * Action: scan this node's part of a sorted query (filter and compute its columns), keep the rows
   * and answer with a sample of their sort keys.
   */
  public static final String SORT_SCAN = "fragment.sort-scan";

  /** Action: send the kept rows of a sorted query to the owners of their ranges of sort keys. */
  public static final String RANGE_SHUFFLE = "fragment.range-shuffle";

  /** Action: drop the query's fragment and free its memory (also on cancel and failure). */
  public static final String EXCHANGE_OBJECT = "exchange-object";

  public static final String RELEASE = "fragment.release";

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private FragmentProtocol() {}

  /**
   * Run the partial stage.
   *
   * @param queryId the query, unique across the cluster
   * @param dataset the dataset it reads
   * @param sql the query text, for the node's log
   * @param plan the coordinator's plan ({@link dev.quiver.server.sql.PlanCodec}), which the node
   *     runs as it is
   * @param splits the row groups to read for a shared dataset, or null to read the node's own files
   */
  public record PartialRequest(
      String queryId, String dataset, String sql, String plan, List<ScanTicket> splits) {}

  /**
   * Run the shuffle stage.
   *
   * @param owners the owner of each partition, by address: partition {@code p} goes to {@code
   *     owners[p]}
   */
  public record ShuffleRequest(String queryId, List<String> owners) {}

  /**
   * Run the scan stage of a distributed sort.
   *
   * @param sql the sorted query, for the node's log
   * @param plan the coordinator's plan ({@link dev.quiver.server.sql.PlanCodec})
   * @param splits the row groups to read for a shared dataset, or null to read the node's own files
   * @param sampleRows how many rows of sort keys to sample
   */
  public record SortScanRequest(
      String queryId,
      String dataset,
      String sql,
      String plan,
      List<ScanTicket> splits,
      int sampleRows) {}

  /**
   * What the scan stage of a distributed sort did on one node.
   *
   * @param hasDataset false when the node does not serve the dataset (it then holds nothing)
   * @param sample a sample of the kept rows' sort keys (Arrow IPC, base64), or null
   */
  public record SortScanReport(
      String peer,
      boolean hasDataset,
      long rows,
      long millis,
      Map<String, Long> scan,
      String sample) {}

  /**
   * Run the range shuffle of a distributed sort.
   *
   * @param boundaries the sort keys' range boundaries (Arrow IPC, base64): range {@code p} holds
   *     the rows above boundary {@code p-1} and at most boundary {@code p}
   * @param owners the owner of each range, by address, in range order
   */
  public record RangeShuffleRequest(String queryId, String boundaries, List<String> owners) {}

  /** Release a query's fragment. */
  public record ReleaseRequest(String queryId) {}

  /**
   * What the partial stage did on one node.
   *
   * @param hasDataset false when the node does not serve the dataset (it then holds nothing)
   * @param partialBytes Arrow bytes of the partial result
   * @param scan the scan counters, named as in the scan statistics
   * @param partialSchema the partial result's schema as JSON, checked against the coordinator's
   */
  public record PartialReport(
      String peer,
      boolean hasDataset,
      long partialGroups,
      long partialBytes,
      long millis,
      Map<String, Long> scan,
      String partialSchema) {}

  /**
   * What the shuffle stage did on one node.
   *
   * @param bytesTo Arrow bytes sent to each owner, by address (this node's own partition included)
   */
  /**
   * What one node's exchange sent: bytes to each owner, rows that left the node, and of the bytes,
   * those that went by descriptor through shared memory to owners on the same host.
   */
  public record ShuffleReport(
      String peer, Map<String, Long> bytesTo, long rowsOut, long millis, long descriptorBytes) {}

  /** {@code exchange-object}: a partition written into the sender's shared-memory store. */
  public record ObjectPartition(
      String queryId, String sender, int partition, String path, String nonce) {}

  /**
   * The answer to {@code exchange-object}: the rows merged, or that the receiver refused the
   * partition unread because the sender's nonce is not its store's (it restarted with a new store
   * since the sender checked, or does not share the sender's host): the sender then checks the peer
   * again and sends that partition as a stream.
   */
  public record ObjectPartitionReply(long rows, boolean notThisStore) {
    public static ObjectPartitionReply merged(long rows) {
      return new ObjectPartitionReply(rows, false);
    }

    public static ObjectPartitionReply refused() {
      return new ObjectPartitionReply(0, true);
    }
  }

  public static byte[] encode(Object message) {
    try {
      return JSON.writeValueAsBytes(message);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot encode " + message, e);
    }
  }

  public static <T> T decode(byte[] json, Class<T> type) {
    try {
      return JSON.readValue(json, type);
    } catch (IOException e) {
      throw new QuiverException(
          ErrorCode.INVALID_ARGUMENT, "Malformed " + type.getSimpleName() + ": " + e.getMessage());
    }
  }

  static Map<String, Long> counters(Object statistics) {
    return JSON.convertValue(statistics, new TypeReference<Map<String, Long>>() {});
  }
}
