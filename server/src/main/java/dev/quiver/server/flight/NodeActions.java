package dev.quiver.server.flight;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.parquet.dataset.DataFile;
import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.server.auth.Caller;
import dev.quiver.server.auth.NodeAuthenticator;
import dev.quiver.server.catalog.Catalog;
import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.query.FragmentProtocol;
import dev.quiver.server.query.FragmentWorker;
import dev.quiver.server.query.PeerCalls;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.ActionType;
import org.apache.arrow.flight.FlightProducer.StreamListener;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Result;

/**
 * Quiver's own {@code DoAction}s: {@code health} and {@code datasets} for anyone, and the calls
 * between nodes (stage tasks, this node's endpoints, planning for a node without the dataset).
 */
final class NodeActions {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Whether {@code type} is one of the calls between nodes, not meant for clients. */
  static boolean isInternal(String type) {
    return type.equals(FORWARDED_INFO)
        || type.equals(ClusterFlights.LOCAL_INFO)
        || type.equals(FragmentProtocol.RUN_TASK)
        || type.equals(FragmentProtocol.RELEASE)
        || type.equals(FragmentProtocol.EXCHANGE_OBJECT)
        || type.equals(REFRESH_LOCAL)
        || type.equals(QUERIES_LOCAL)
        || type.equals(CANCEL_LOCAL);
  }

  /** The client streams running on every node. */
  static final String QUERIES = "queries";

  /** Internal action: the client streams running on this node. */
  static final String QUERIES_LOCAL = "queries-local";

  /** Cancel one of them. */
  static final String CANCEL = "cancel-query";

  /** Internal action: cancel a stream on this node for a user. */
  static final String CANCEL_LOCAL = "cancel-query-local";

  /** Reload a dataset's listing and footers on every node. */
  static final String REFRESH = "refresh-dataset";

  /** Internal action: reload a dataset on this node only. */
  static final String REFRESH_LOCAL = "refresh-dataset-local";

  /** Internal action: plan a query here for a node that does not serve its dataset. */
  static final String FORWARDED_INFO = "forwarded-flight-info";

  /** The actions this node answers, as {@code ListActions} reports them. */
  static final List<ActionType> ACTIONS =
      List.of(
          new ActionType("health", "The node's serving status and dataset count, as JSON"),
          new ActionType(
              "datasets",
              "The catalog: every dataset with files, rows, bytes and columns, as JSON"),
          new ActionType(
              REFRESH,
              "List a dataset's files and read their footers again on every node;"
                  + " body {\"dataset\": name}"),
          new ActionType(
              QUERIES,
              "The streams clients are reading on every node: node, id, user, what, elapsed"),
          new ActionType(
              CANCEL, "Cancel one of them; body {\"id\": ..., \"node\": ...} as queries lists it"),
          new ActionType(
              FragmentProtocol.RUN_TASK,
              "Internal, between nodes: run one task of a query's stage from its physical plan"),
          new ActionType(
              FragmentProtocol.EXCHANGE_OBJECT,
              "Internal, between nodes on one host: merge a partition from shared memory"),
          new ActionType(
              FragmentProtocol.RELEASE, "Internal, between nodes: free a query's memory"),
          new ActionType(
              ClusterFlights.LOCAL_INFO,
              "Internal, between nodes: this node's own endpoints of a dataset or scan query"),
          new ActionType(
              FORWARDED_INFO,
              "Internal, between nodes: plan a query for a node that lacks its dataset"),
          new ActionType(REFRESH_LOCAL, "Internal, between nodes: reload a dataset here"),
          new ActionType(QUERIES_LOCAL, "Internal, between nodes: the streams running here"),
          new ActionType(CANCEL_LOCAL, "Internal, between nodes: cancel a stream here"));

  private final Catalog catalog;
  private final BooleanSupplier serving;
  private final FragmentWorker worker;
  private final FlightInfos infos;
  private final Cluster cluster;
  private final StreamTracker streams;

  /**
   * @param serving whether the node is serving, for the {@code health} action
   * @param streams the streams this node serves, for {@code queries} and {@code cancel-query}
   */
  NodeActions(
      Catalog catalog,
      BooleanSupplier serving,
      FragmentWorker worker,
      FlightInfos infos,
      Cluster cluster,
      StreamTracker streams) {
    this.streams = requireNonNull(streams, "streams is null");
    this.cluster = requireNonNull(cluster, "cluster is null");
    this.catalog = requireNonNull(catalog, "catalog is null");
    this.serving = requireNonNull(serving, "serving is null");
    this.worker = requireNonNull(worker, "worker is null");
    this.infos = requireNonNull(infos, "infos is null");
  }

  void doAction(Action action, StreamListener<Result> listener) {
    if (action.getType().equals(FORWARDED_INFO)) {
      try {
        listener.onNext(new Result(infos.forwardedInfo(action.getBody())));
        listener.onCompleted();
      } catch (RuntimeException e) {
        listener.onError(FlightErrors.toFlight(e, "DoAction " + action.getType()));
      }
      return;
    }
    if (action.getType().equals(ClusterFlights.LOCAL_INFO)) {
      try {
        listener.onNext(new Result(infos.localInfo(action.getBody())));
        listener.onCompleted();
      } catch (RuntimeException e) {
        listener.onError(FlightErrors.toFlight(e, "DoAction " + action.getType()));
      }
      return;
    }
    try {
      Object body =
          switch (action.getType()) {
            case "health" ->
                Map.of(
                    "status",
                    serving.getAsBoolean() ? "SERVING" : "NOT_SERVING",
                    "datasets",
                    catalog.names().size());
            case "datasets" ->
                catalog.names().stream().map(n -> describe(catalog.require(n))).toList();
            case REFRESH -> refreshEverywhere(datasetOf(action));
            case QUERIES -> queriesEverywhere();
            case QUERIES_LOCAL -> localQueries(field(action, "user", true));
            case CANCEL -> cancel(field(action, "id", false), field(action, "node", true));
            case CANCEL_LOCAL ->
                Map.of(
                    "cancelled",
                    streams.cancelById(field(action, "id", false), field(action, "user", true)));
            case REFRESH_LOCAL -> describe(catalog.refresh(datasetOf(action)));
            case FragmentProtocol.RUN_TASK ->
                worker.run(
                    FragmentProtocol.decode(action.getBody(), FragmentProtocol.TaskRequest.class));
            case FragmentProtocol.EXCHANGE_OBJECT ->
                worker.acceptObject(
                    FragmentProtocol.decode(
                        action.getBody(), FragmentProtocol.ObjectPartition.class));
            case FragmentProtocol.RELEASE -> {
              worker.release(
                  FragmentProtocol.decode(action.getBody(), FragmentProtocol.ReleaseRequest.class)
                      .queryId());
              yield Map.of("released", true);
            }
            default ->
                throw new QuiverException(
                    ErrorCode.INVALID_ARGUMENT,
                    "Unknown action '"
                        + action.getType()
                        + "'; actions are: "
                        + String.join(", ", ACTIONS.stream().map(ActionType::getType).toList()));
          };
      listener.onNext(new Result(JSON.writeValueAsBytes(body)));
      listener.onCompleted();
    } catch (JsonProcessingException | RuntimeException e) {
      listener.onError(FlightErrors.toFlight(e, "DoAction " + action.getType()));
    }
  }

  /** The caller whose streams a listing shows and a cancel may stop: null for everyone's. */
  private static String viewer() {
    return dev.quiver.server.auth.Caller.current()
        .filter(user -> !user.equals(dev.quiver.server.auth.NodeAuthenticator.PEER))
        .orElse(null);
  }

  private List<Map<String, Object>> localQueries(String user) {
    String node = cluster.self().getUri().toString();
    return streams.running().stream()
        .filter(r -> !r.user().equals(dev.quiver.server.auth.NodeAuthenticator.PEER))
        .filter(r -> user == null || r.user().equals(user))
        .map(
            r -> {
              Map<String, Object> entry = new LinkedHashMap<>();
              entry.put("node", node);
              entry.put("id", r.id());
              entry.put("user", r.user());
              entry.put("what", r.what());
              entry.put("elapsedMillis", r.elapsedMillis());
              return entry;
            })
        .toList();
  }

  /** This node's client streams and every peer's (a peer that does not answer is left out). */
  private List<Object> queriesEverywhere() {
    String user = viewer();
    List<Object> all = new java.util.ArrayList<>(localQueries(user));
    Map<String, Object> body = new LinkedHashMap<>();
    if (user != null) {
      body.put("user", user);
    }
    for (Location peer : cluster.peers()) {
      try {
        List<?> theirs =
            PeerCalls.action(
                cluster, peer, QUERIES_LOCAL, body, List.class, Duration.ofSeconds(10), "queries");
        all.addAll(theirs);
      } catch (QuiverException e) {
        // Listed without it: the node is down or slow.
      }
    }
    return all;
  }

  private Map<String, Object> cancel(String id, String node) {
    String user = viewer();
    boolean cancelled;
    String where = node == null ? cluster.self().getUri().toString() : node;
    Location named = node == null ? cluster.self() : nodeNamed(node);
    if (cluster.isSelf(named)) {
      cancelled = streams.cancelById(id, user);
    } else {
      Location peer = named;
      if (cluster.peers().stream().noneMatch(p -> p.getUri().equals(peer.getUri()))) {
        throw new QuiverException(ErrorCode.NOT_FOUND, "Node " + node + " is not in this cluster");
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("id", id);
      if (user != null) {
        body.put("user", user);
      }
      Map<?, ?> reply =
          PeerCalls.action(
              cluster, peer, CANCEL_LOCAL, body, Map.class, Duration.ofSeconds(10), "cancel");
      cancelled = Boolean.TRUE.equals(reply.get("cancelled"));
    }
    if (!cancelled) {
      throw new QuiverException(
          ErrorCode.NOT_FOUND,
          "No query " + id + (user == null ? "" : " of user '" + user + "'") + " runs on " + where);
    }
    return Map.of("cancelled", true, "id", id, "node", where);
  }

  /**
   * The node {@code node} names, as {@code queries} prints it ({@code grpc+tcp://host:port}) or as
   * {@code grpc://host:port} or {@code host:port}.
   *
   * @throws QuiverException INVALID_ARGUMENT naming the text when it is no node address
   */
  private static Location nodeNamed(String node) {
    try {
      return Cluster.parse(List.of(node)).get(0);
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      throw new QuiverException(
          ErrorCode.INVALID_ARGUMENT,
          "Node '"
              + node
              + "' is not an address such as quiver queries prints (grpc+tcp://host:port)");
    }
  }

  /** A text field of the action's JSON body; null when optional and absent. */
  private static String field(Action action, String name, boolean optional) {
    try {
      var body = JSON.readTree(action.getBody());
      if (body != null && body.path(name).isTextual()) {
        return body.get(name).asText();
      }
    } catch (java.io.IOException e) {
      // reported below
    }
    if (optional) {
      return null;
    }
    throw new QuiverException(
        ErrorCode.INVALID_ARGUMENT,
        "Action " + action.getType() + " takes a JSON body with \"" + name + "\"");
  }

  private static String datasetOf(Action action) {
    try {
      var body = JSON.readTree(action.getBody());
      if (body != null && body.path("dataset").isTextual()) {
        return body.get("dataset").asText();
      }
    } catch (java.io.IOException e) {
      // reported below
    }
    throw new QuiverException(
        ErrorCode.INVALID_ARGUMENT,
        "Action " + action.getType() + " takes a JSON body {\"dataset\": name}");
  }

  /**
   * Reloads {@code name} here, then on every peer: nodes must agree on a shared dataset's files,
   * since tickets name files by position. A peer that fails or lacks the dataset is reported, not
   * fatal.
   */
  private Map<String, Object> refreshEverywhere(String name) {
    Map<String, Object> nodes = new LinkedHashMap<>();
    Map<String, Object> here = describe(catalog.refresh(name));
    nodes.put(cluster.self().getUri().toString(), here);
    for (Location peer : cluster.peers()) {
      try {
        nodes.put(
            peer.getUri().toString(),
            PeerCalls.action(
                cluster,
                peer,
                REFRESH_LOCAL,
                Map.of("dataset", name),
                Map.class,
                Duration.ofMinutes(5),
                "refreshing dataset '" + name + "'"));
      } catch (QuiverException e) {
        nodes.put(peer.getUri().toString(), Map.of("error", e.getMessage()));
      }
    }
    Map<String, Object> reply = new LinkedHashMap<>(here);
    reply.put("nodes", nodes);
    return reply;
  }

  /**
   * A dataset as the {@code datasets} action lists it. Where the node keeps it ({@code location})
   * is told to its peers and, on a node that authenticates nobody, to anyone; never to a user.
   */
  private static Map<String, Object> describe(Dataset dataset) {
    Map<String, Object> described = new LinkedHashMap<>();
    described.put("name", dataset.name());
    if (Caller.current().map(NodeAuthenticator.PEER::equals).orElse(true)) {
      described.put("location", dataset.location());
    }
    described.put("files", dataset.files().size());
    // With lazy footers the rows of files no query has read yet are unknown: -1.
    described.put(
        "rows",
        dataset.files().stream().allMatch(DataFile::footerLoaded) ? dataset.rowCount() : -1);
    described.put("bytes", dataset.sizeBytes());
    described.put(
        "columns",
        dataset.schema().getFields().stream()
            .map(
                f ->
                    Map.of(
                        "name",
                        f.getName(),
                        "type",
                        f.getType().toString(),
                        "nullable",
                        f.isNullable()))
            .toList());
    return described;
  }
}
