package dev.quiver.server.query;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.exec.OperatorCounters;
import dev.quiver.server.exec.SortKey;
import dev.quiver.server.ticket.ScanTicket;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The messages between a coordinator and the nodes that run a query's stages, as JSON. Arrow data
 * never goes through here: a stage's output travels as Arrow record batches in {@code DoGet} (read
 * with a {@link dev.quiver.server.ticket.StageTicket}) and {@code DoPut} (an exchange) streams;
 * these are the requests and reports around them.
 *
 * <p>One action runs any stage: {@link #RUN_TASK} with a {@link TaskRequest}, whose plan is the
 * stage's physical plan as {@link dev.quiver.server.sql.PlanCodec} writes it. Besides it, {@link
 * #RELEASE} frees a query and {@link #EXCHANGE_OBJECT} hands over a partition by descriptor.
 */
public final class FragmentProtocol {
  /** Action: run one task of a stage ({@link TaskRequest}), answered by a {@link TaskReport}. */
  public static final String RUN_TASK = "stage.run-task";

  /**
   * Action: a partition written into the sender's shared-memory store ({@link ObjectPartition}).
   */
  public static final String EXCHANGE_OBJECT = "exchange-object";

  /** Action: drop the query's state on the node and free its memory (also on cancel, failure). */
  public static final String RELEASE = "fragment.release";

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private FragmentProtocol() {}

  /**
   * Run one task of a stage on the node that receives it.
   *
   * <p>A task whose plan scans reads {@code splits} (or the node's own files) on several threads
   * and runs at once. A task that reads what exchanges send it ({@code receives}) is opened: the
   * node gets ready to take the rows, and runs the plan when the task's output is read. Any other
   * task reads, where its plan has a {@link dev.quiver.server.physical.RemoteSource}, the output
   * this node kept of that stage, and runs at once.
   *
   * @param queryId the query, unique across the cluster
   * @param stage the stage's number in its query
   * @param task the task's index in its stage: the partition it reads and writes
   * @param sql the query text, for the node's log
   * @param dataset the dataset the plan scans, or null when it scans none; a node that does not
   *     serve it reports so and runs nothing
   * @param plan the task's physical plan ({@link dev.quiver.server.sql.PlanCodec})
   * @param splits the row groups to read for a shared dataset, or null to read the node's own files
   * @param receives whether the task reads rows that exchanges send it
   * @param output what becomes of the task's output
   */
  public record TaskRequest(
      String queryId,
      int stage,
      int task,
      String sql,
      String dataset,
      String plan,
      List<ScanTicket> splits,
      boolean receives,
      TaskOutput output) {}

  /** What becomes of a task's output. */
  public enum OutputKind {
    /** Kept on the node until it is read with a stage ticket, or sent on by a later task. */
    KEEP,
    /** Split by the hash of {@link TaskOutput#keys} and sent, partition p to consumer p. */
    HASH,
    /** Split by ranges of {@link TaskOutput#order} at the boundaries, range p to consumer p. */
    RANGE,
    /** Every row sent to every consumer. */
    BROADCAST
  }

  /**
   * What becomes of a task's output, and what the coordinator learns of it.
   *
   * @param keys for a hash split, the key columns
   * @param order for a range split, the sort keys; for a kept output with {@code sampleRows}, the
   *     keys to sample
   * @param boundaries for a range split, the sort keys' range boundaries (Arrow IPC, base64): range
   *     {@code p} holds the rows above boundary {@code p-1} and at most boundary {@code p}
   * @param consumers for a split, the address of the node of each consumer task, in task order
   * @param consumerStage for a split, the stage whose tasks receive it
   * @param sampleRows for a kept output, how many rows of {@code order} keys to sample (0: none)
   */
  public record TaskOutput(
      OutputKind kind,
      List<Integer> keys,
      List<SortKey> order,
      String boundaries,
      List<String> consumers,
      int consumerStage,
      int sampleRows) {
    public TaskOutput {
      keys = keys == null ? List.of() : List.copyOf(keys);
      order = order == null ? List.of() : List.copyOf(order);
      consumers = consumers == null ? List.of() : List.copyOf(consumers);
    }

    /** Keep the output here, sampling {@code sampleRows} rows of {@code order} keys if positive. */
    public static TaskOutput keep(List<SortKey> order, int sampleRows) {
      return new TaskOutput(OutputKind.KEEP, null, order, null, null, 0, sampleRows);
    }

    public static TaskOutput keep() {
      return keep(null, 0);
    }
  }

  /**
   * What one task did on one node.
   *
   * @param hasDataset false when the node does not serve the scanned dataset (it ran nothing)
   * @param rows rows of the task's output (for an opened task, 0 until it runs)
   * @param bytes Arrow bytes of a kept output
   * @param spilled whether a kept output went partly to disk
   * @param scan the scan counters, named as in the scan statistics
   * @param schema the output's schema as JSON, checked against the coordinator's
   * @param sample a kept output's sample of sort keys (Arrow IPC, base64), or null
   * @param sent for a split output, what was sent where; else null
   * @param operators what each operator of the task's plan did, in the plan's pre-order
   */
  public record TaskReport(
      String peer,
      boolean hasDataset,
      long rows,
      long bytes,
      boolean spilled,
      long millis,
      Map<String, Long> scan,
      String schema,
      String sample,
      ShuffleReport sent,
      List<OperatorCounters> operators) {
    public TaskReport {
      operators = operators == null ? List.of() : List.copyOf(operators);
    }

    public static TaskReport noDataset(String peer) {
      return new TaskReport(peer, false, 0, 0, false, 0, Map.of(), null, null, null, null);
    }
  }

  /**
   * The operator counters that end the stream of an opened task's output: {@code {"operators":
   * [...]}}.
   */
  public record OperatorsTrailer(List<OperatorCounters> operators) {}

  /** The counters of an {@link OperatorsTrailer}, or null when {@code json} is not one. */
  static List<OperatorCounters> operators(byte[] json) {
    try {
      OperatorsTrailer trailer = JSON.readValue(json, OperatorsTrailer.class);
      return trailer.operators();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Release a query's fragment. */
  public record ReleaseRequest(String queryId) {}

  /**
   * What one node's exchange sent: bytes to each owner by address (this node's own partition
   * included), rows that left the node, and of the bytes, those that went by descriptor through
   * shared memory to owners on the same host.
   */
  public record ShuffleReport(
      String peer, Map<String, Long> bytesTo, long rowsOut, long millis, long descriptorBytes) {}

  /** {@code exchange-object}: a partition written into the sender's shared-memory store. */
  public record ObjectPartition(
      String queryId, int stage, String sender, int partition, String path, String nonce) {}

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
