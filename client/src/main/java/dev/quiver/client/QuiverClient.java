package dev.quiver.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightClientMiddleware;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Result;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A connection to one Quiver node.
 *
 * <pre>{@code
 * try (QuiverClient client = QuiverClient.connect(URI.create("grpc://127.0.0.1:8815"));
 *     BatchStream batches = client.read("trips")) {
 *   while (batches.next()) {
 *     use(batches.root());
 *   }
 * }
 * }</pre>
 *
 * <p>The client owns its allocator and its connections and holds no global state; close it when
 * done, after every stream it returned.
 */
public final class QuiverClient implements AutoCloseable {
  /** Streams read at once by {@link #read(String)}. */
  public static final int DEFAULT_PARALLELISM = 4;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Location location;
  private final BufferAllocator allocator;
  private final FlightClient client;
  private final Map<Location, FlightClient> peers = new ConcurrentHashMap<>();
  private final AtomicLong streamIds = new AtomicLong();
  private final int parallelism;
  private final Tls tls;
  private final Authentication credentials;
  private final EventLoopGroup network;

  private QuiverClient(
      Location location,
      BufferAllocator allocator,
      int parallelism,
      Tls tls,
      Authentication credentials,
      EventLoopGroup network) {
    this.location = location;
    this.allocator = allocator;
    this.parallelism = parallelism;
    this.tls = tls;
    this.credentials = credentials;
    this.network = network;
    this.client = connection(location);
  }

  /** A connection to {@code node}, with the client's TLS settings, credentials and event loops. */
  private FlightClient connection(Location node) {
    FlightClientMiddleware.Factory[] middleware =
        credentials == null
            ? new FlightClientMiddleware.Factory[0]
            : new FlightClientMiddleware.Factory[] {credentials.middleware()};
    return network == null
        ? tls.client(allocator, node, middleware)
        : tls.client(allocator, node, network, middleware);
  }

  /**
   * Connects to {@code uri} ({@code grpc://host:port}, or {@code grpc+tls://host:port} checked
   * against the system's trust store) with a private allocator.
   */
  public static QuiverClient connect(URI uri) {
    return connect(uri, new RootAllocator(), DEFAULT_PARALLELISM);
  }

  /**
   * Connects to {@code uri}.
   *
   * @param allocator owned by the client from now on and closed with it; pass a child allocator to
   *     share a process's root
   * @param parallelism how many endpoints {@link #read(String)} fetches at once
   */
  public static QuiverClient connect(URI uri, BufferAllocator allocator, int parallelism) {
    return connect(uri, allocator, parallelism, Tls.SYSTEM);
  }

  /**
   * Connects to the node at {@code uri}; a {@code grpc+tls://} node (and the nodes its endpoints
   * name) is checked as {@code tls} says.
   */
  public static QuiverClient connect(URI uri, BufferAllocator allocator, int parallelism, Tls tls) {
    return open(uri, allocator, parallelism, tls, null, null);
  }

  /**
   * As {@link #connect(URI, BufferAllocator, int, Tls)}, authenticating with {@code credentials} (a
   * user's password, or a bearer token) to every node it talks to.
   */
  public static QuiverClient connect(
      URI uri, BufferAllocator allocator, int parallelism, Tls tls, Authentication credentials) {
    return open(
        uri, allocator, parallelism, tls, requireNonNull(credentials, "credentials is null"), null);
  }

  /**
   * As {@link #connect(URI, BufferAllocator, int, Tls, Authentication)}, with every connection's
   * I/O on {@code network} instead of gRPC's shared event loops: for a short program that exits
   * right after closing the client, as the {@code quiver} command line does. gRPC's loops outlive
   * their last channel by a second, blocked in native code, and a JVM exiting meanwhile waits 300
   * ms for them; a program that shuts its own group down after closing the client exits at once.
   *
   * @param credentials a user's password or a bearer token, or null to send none
   * @param network an NIO event loop group, which the caller shuts down after closing the client
   */
  public static QuiverClient connect(
      URI uri,
      BufferAllocator allocator,
      int parallelism,
      Tls tls,
      Authentication credentials,
      EventLoopGroup network) {
    return open(
        uri, allocator, parallelism, tls, credentials, requireNonNull(network, "network is null"));
  }

  private static QuiverClient open(
      URI uri,
      BufferAllocator allocator,
      int parallelism,
      Tls tls,
      Authentication credentials,
      EventLoopGroup network) {
    requireNonNull(uri, "uri is null");
    requireNonNull(allocator, "allocator is null");
    requireNonNull(tls, "tls is null");
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be positive: " + parallelism);
    }
    return new QuiverClient(new Location(uri), allocator, parallelism, tls, credentials, network);
  }

  /** The datasets the node serves, sorted by name. */
  public List<DatasetInfo> datasets() {
    List<DatasetInfo> datasets = new ArrayList<>();
    for (FlightInfo info : client.listFlights(Criteria.ALL)) {
      datasets.add(toDatasetInfo(info));
    }
    datasets.sort((a, b) -> a.name().compareTo(b.name()));
    return datasets;
  }

  /** Describes one dataset. */
  public DatasetInfo info(String dataset) {
    return toDatasetInfo(client.getInfo(FlightDescriptor.path(dataset)));
  }

  /** A dataset's schema, without reading data. */
  public Schema schema(String dataset) {
    return client.getSchema(FlightDescriptor.path(dataset)).getSchema();
  }

  /**
   * Reads a whole dataset, fetching its endpoints in parallel. The batches come in no particular
   * order. The caller closes the stream.
   */
  public BatchStream read(String dataset) {
    FlightInfo info = client.getInfo(FlightDescriptor.path(dataset));
    return stream(info, "read-" + dataset, QueryStatistics.EMPTY);
  }

  /**
   * Runs a SQL query ({@code SELECT ... FROM dataset [WHERE ...] [LIMIT n]}), fetching its
   * endpoints in parallel. Without a LIMIT the batches come in no particular order; {@link
   * BatchStream#statistics()} tells what the scan skipped. The caller closes the stream.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException INVALID_ARGUMENT for a bad query, naming
   *     the problem
   */
  public BatchStream query(String sql) {
    FlightInfo info =
        client.getInfo(FlightDescriptor.command(sql.getBytes(StandardCharsets.UTF_8)));
    return stream(info, "query", QueryStatistics.parse(info.getAppMetadata()));
  }

  /**
   * Runs a SQL query through {@code PollFlightInfo}: an aggregation runs in the background on the
   * nodes while this polls every {@code interval}, telling {@code progress} how far it got (0 to 1,
   * as the coordinator reports it; 1 once the answer is ready); a scan answers at the first poll.
   * Then the answer streams as from {@link #query}. The caller closes the stream.
   *
   * @throws InterruptedException if interrupted while waiting between polls (the query is cancelled
   *     on the nodes)
   */
  public BatchStream pollQuery(
      String sql, java.time.Duration interval, java.util.function.DoubleConsumer progress)
      throws InterruptedException {
    org.apache.arrow.flight.PollInfo poll =
        client.pollInfo(FlightDescriptor.command(sql.getBytes(StandardCharsets.UTF_8)));
    while (poll.getFlightDescriptor().isPresent()) {
      poll.getProgress().ifPresent(progress::accept);
      try {
        Thread.sleep(interval.toMillis());
      } catch (InterruptedException e) {
        if (poll.getFlightInfo() != null) {
          client.cancelFlightInfo(
              new org.apache.arrow.flight.CancelFlightInfoRequest(poll.getFlightInfo()));
        }
        throw e;
      }
      poll = client.pollInfo(poll.getFlightDescriptor().get());
    }
    progress.accept(1.0);
    FlightInfo info = poll.getFlightInfo();
    return stream(info, "query", QueryStatistics.parse(info.getAppMetadata()));
  }

  /**
   * Reads all endpoints of {@code info} on a child allocator the stream owns: in parallel, or one
   * after the other, in order, when the flight is ordered (a sorted query).
   */
  private BatchStream stream(FlightInfo info, String name, QueryStatistics planned) {
    BufferAllocator streamAllocator =
        allocator.newChildAllocator(name + "-" + streamIds.incrementAndGet(), 0, Long.MAX_VALUE);
    return new ParallelBatchStream(
        info.getSchema(),
        info.getEndpoints(),
        this::clientFor,
        streamAllocator,
        info.getOrdered() ? 1 : parallelism,
        planned);
  }

  /**
   * Runs a SQL query and reads its answer from the node's shared-memory object store instead of the
   * network: for a client on the node's host (it proves so by reading the store's nonce file). The
   * node writes the answer into an object; this waits until it is sealed, maps it and loads its
   * batches without copying. The caller closes the result, which unpins the object.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException UNAUTHORIZED (gRPC PERMISSION_DENIED)
   *     from another host, UNIMPLEMENTED if the node has no object store, or what the query itself
   *     fails with
   */
  public SharedResult sharedQuery(String sql) {
    JsonNode info = action("shm-info");
    String nonce;
    try {
      nonce = Files.readString(Path.of(info.get("nonceFile").asText()));
    } catch (IOException e) {
      throw CallStatus.UNAUTHORIZED
          .withDescription(
              "Cannot read the node's nonce file "
                  + info.get("nonceFile").asText()
                  + ": this client is not on the node's host ("
                  + e.getMessage()
                  + ")")
          .toRuntimeException();
    }
    String id = action("shm-query", Map.of("sql", sql, "nonce", nonce)).get("id").asText();
    JsonNode object = action("shm-get", Map.of("id", id, "nonce", nonce));
    Runnable release = () -> action("shm-release", Map.of("id", id, "nonce", nonce));
    try {
      return new SharedResult(
          id,
          Path.of(object.get("path").asText()),
          object.get("rows").asLong(),
          object.get("bytes").asLong(),
          allocator,
          release);
    } catch (RuntimeException e) {
      release.run();
      throw e;
    }
  }

  /** Runs a node action with a JSON body and parses its JSON answer. */
  public JsonNode action(String type, Map<String, ?> body) {
    try {
      return answer(type, client.doAction(new Action(type, JSON.writeValueAsBytes(body))));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("Cannot encode the body of action " + type, e);
    }
  }

  /** The schema a query's results will have, without running it. */
  public Schema querySchema(String sql) {
    return client
        .getSchema(FlightDescriptor.command(sql.getBytes(StandardCharsets.UTF_8)))
        .getSchema();
  }

  /** Runs a node action and parses its JSON answer. */
  public JsonNode action(String type) {
    return answer(type, client.doAction(new Action(type)));
  }

  private static JsonNode answer(String type, Iterator<Result> results) {
    if (!results.hasNext()) {
      throw CallStatus.INTERNAL
          .withDescription("Action '" + type + "' returned nothing")
          .toRuntimeException();
    }
    try {
      return JSON.readTree(results.next().getBody());
    } catch (IOException e) {
      throw CallStatus.INTERNAL
          .withDescription("Action '" + type + "' returned invalid JSON")
          .toRuntimeException();
    }
  }

  /** The underlying Flight client, for calls this class does not wrap. */
  public FlightClient flightClient() {
    return client;
  }

  private FlightClient clientFor(FlightEndpoint endpoint) {
    List<Location> locations = endpoint.getLocations();
    if (locations.isEmpty() || locations.contains(location)) {
      return client;
    }
    return peers.computeIfAbsent(locations.get(0), this::connection);
  }

  private static DatasetInfo toDatasetInfo(FlightInfo info) {
    List<String> path = info.getDescriptor().getPath();
    String name = path.isEmpty() ? "" : String.join("/", path);
    return new DatasetInfo(
        name, info.getSchema(), info.getRecords(), info.getBytes(), info.getEndpoints().size());
  }

  @Override
  public void close() throws InterruptedException {
    try {
      for (FlightClient peer : peers.values()) {
        peer.close();
      }
      client.close();
    } finally {
      allocator.close();
    }
  }
}
