package dev.quiver.server.flight;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.query.FragmentProtocol;
import dev.quiver.shuffle.objectstore.ObjectStore;
import dev.quiver.shuffle.objectstore.ObjectStoreException;
import dev.quiver.shuffle.objectstore.ObjectWriter;
import dev.quiver.shuffle.objectstore.SharedObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.ActionType;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightProducer;
import org.apache.arrow.flight.FlightProducer.CallContext;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.flight.FlightProducer.StreamListener;
import org.apache.arrow.flight.FlightServerMiddleware;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Result;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Query results as shared-memory objects for clients on the node's host ({@link ObjectStore}): the
 * {@code shm-*} actions. A client reads the store's nonce file ({@code shm-info} names it) to prove
 * it is on this host; {@code shm-query} starts writing a query's answer into a new object and
 * returns its id at once; {@code shm-get} waits until the object is sealed, pins it and returns
 * where to map it; {@code shm-release} unpins it. The answer is the same as a {@code DoGet} of the
 * query's endpoints would give: the node runs those streams into the object instead of a socket.
 *
 * <p>A query runs as its caller, with the caller's grants, as its {@code GetFlightInfo} and {@code
 * DoGet}s would; the object it writes belongs to that caller: another user's {@code shm-get} or
 * {@code shm-release} of its id finds nothing. Every action but {@code shm-info} needs the nonce.
 */
final class SharedResults implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SharedResults.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  static final String INFO = "shm-info";
  static final String QUERY = "shm-query";
  static final String GET = "shm-get";
  static final String RELEASE = "shm-release";

  static final List<ActionType> ACTIONS =
      List.of(
          new ActionType(INFO, "Where this node's shared-memory object store and nonce file are"),
          new ActionType(
              QUERY, "Start writing a query's answer into a shared-memory object: {sql, nonce}"),
          new ActionType(
              GET, "Wait until an object is sealed, pin it, say where to map it: {id, nonce}"),
          new ActionType(RELEASE, "Unpin a shared-memory object: {id, nonce}"));

  /** {@code shm-query}'s body. */
  record QueryRequest(String sql, String nonce) {}

  /** {@code shm-get}'s and {@code shm-release}'s body. */
  record ObjectRequest(String id, String nonce, Long timeoutMillis) {}

  private final ObjectStore store;
  private final FlightProducer producer;
  private final Cluster cluster;
  private final ExecutorService executor;
  private final Duration defaultWait;

  /** Who wrote each object of the store's that a user asked for, most recent last. */
  private final Map<String, String> owners =
      java.util.Collections.synchronizedMap(
          new java.util.LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
              return size() > REMEMBERED_OWNERS;
            }
          });

  /** More objects than a store holds at once: an owner is forgotten only long after its object. */
  private static final int REMEMBERED_OWNERS = 100_000;

  /**
   * @param store the node's object store; closed by its owner, not here
   * @param producer answers the query as it would over the network
   * @param executor writes answers in the background
   * @param defaultWait how long {@code shm-get} waits for a seal unless told
   */
  SharedResults(
      ObjectStore store,
      FlightProducer producer,
      Cluster cluster,
      ExecutorService executor,
      Duration defaultWait) {
    this.store = requireNonNull(store, "store is null");
    this.producer = requireNonNull(producer, "producer is null");
    this.cluster = requireNonNull(cluster, "cluster is null");
    this.executor = requireNonNull(executor, "executor is null");
    this.defaultWait = requireNonNull(defaultWait, "defaultWait is null");
  }

  static boolean handles(String actionType) {
    return ACTIONS.stream().anyMatch(a -> a.getType().equals(actionType));
  }

  /** Answers a {@code shm-*} action for the caller of {@code context}. */
  void doAction(CallContext context, Action action, StreamListener<Result> listener) {
    String caller = context.peerIdentity() == null ? "" : context.peerIdentity();
    try {
      Object answer =
          switch (action.getType()) {
            case INFO ->
                Map.of(
                    "directory", store.directory().toString(),
                    "nonceFile", store.nonceFile().toString());
            case QUERY ->
                query(FragmentProtocol.decode(action.getBody(), QueryRequest.class), caller);
            case GET -> get(FragmentProtocol.decode(action.getBody(), ObjectRequest.class), caller);
            case RELEASE -> {
              ObjectRequest request =
                  FragmentProtocol.decode(action.getBody(), ObjectRequest.class);
              sameHost(request.nonce());
              store.release(owned(request.id(), caller));
              yield Map.of("released", true);
            }
            default -> throw new IllegalArgumentException(action.getType());
          };
      listener.onNext(new Result(JSON.writeValueAsBytes(answer)));
      listener.onCompleted();
    } catch (JsonProcessingException | RuntimeException e) {
      listener.onError(FlightErrors.toFlight(failure(e), "DoAction " + action.getType()));
    }
  }

  private Map<String, Object> query(QueryRequest request, String caller) {
    sameHost(request.nonce());
    if (request.sql() == null || request.sql().isBlank()) {
      throw new QuiverException(ErrorCode.INVALID_ARGUMENT, "shm-query needs {sql, nonce}");
    }
    CallContext asCaller = new AsCaller(caller);
    FlightInfo info =
        producer.getFlightInfo(
            asCaller, FlightDescriptor.command(request.sql().getBytes(StandardCharsets.UTF_8)));
    ObjectWriter writer = store.create(info.getSchema());
    owners.put(writer.id(), caller);
    try {
      executor.execute(() -> write(info, writer, asCaller));
    } catch (RuntimeException e) {
      writer.abort("the node is shutting down");
      throw new QuiverException(ErrorCode.UNAVAILABLE, "The node is shutting down");
    }
    return Map.of("id", writer.id());
  }

  private SharedObject get(ObjectRequest request, String caller) {
    sameHost(request.nonce());
    Duration wait =
        request.timeoutMillis() == null ? defaultWait : Duration.ofMillis(request.timeoutMillis());
    return store.get(owned(request.id(), caller), wait);
  }

  /**
   * {@code id} if {@code caller} wrote it.
   *
   * @throws QuiverException NOT_FOUND otherwise, as for an object that does not exist: another
   *     user's objects, and the objects nodes exchange, are not there for the caller
   */
  private String owned(String id, String caller) {
    if (id == null || !caller.equals(owners.get(id))) {
      throw new QuiverException(
          ErrorCode.NOT_FOUND,
          "No shared-memory object '" + id + "' of this caller's on this node");
    }
    return id;
  }

  private void sameHost(String nonce) {
    if (!store.isNonce(nonce)) {
      throw new QuiverException(
          ErrorCode.PERMISSION_DENIED,
          "Shared-memory results are for clients on this node's host: send the content of "
              + store.nonceFile()
              + " as the nonce");
    }
  }

  /**
   * Runs every endpoint of the answer into the object, several at once as a Flight client would
   * read them (the writer takes one batch at a time), then seals it; fails it on any error.
   */
  private void write(FlightInfo info, ObjectWriter writer, CallContext asCaller) {
    try {
      List<CompletableFuture<Void>> endpoints = new ArrayList<>();
      for (FlightEndpoint endpoint : info.getEndpoints()) {
        endpoints.add(CompletableFuture.runAsync(() -> read(endpoint, writer, asCaller), executor));
      }
      try {
        CompletableFuture.allOf(endpoints.toArray(CompletableFuture[]::new)).get();
      } catch (ExecutionException e) {
        endpoints.forEach(f -> f.cancel(true));
        throw e.getCause() instanceof Exception cause ? cause : new IllegalStateException(e);
      }
      SharedObject sealed = writer.seal();
      LOG.info(
          "Shared-memory object {}: {} rows, {} bytes at {}",
          sealed.id(),
          sealed.rows(),
          sealed.bytes(),
          sealed.path());
    } catch (Exception e) {
      LOG.info("Shared-memory object {} failed: {}", writer.id(), e.getMessage());
      writer.abort(e.getMessage());
    }
  }

  /**
   * Streams one endpoint into the object: from this node directly, as the caller, or from its
   * node's Flight (a ticket signed for the caller, which the peer reads to this node).
   */
  private void read(FlightEndpoint endpoint, ObjectWriter writer, CallContext asCaller) {
    List<Location> locations = endpoint.getLocations();
    if (locations.isEmpty() || locations.stream().anyMatch(cluster::isSelf)) {
      Into into = new Into(writer);
      producer.getStream(asCaller, endpoint.getTicket(), into);
      into.await();
      return;
    }
    try (FlightStream stream = cluster.client(locations.get(0)).getStream(endpoint.getTicket())) {
      while (stream.next()) {
        synchronized (writer) {
          writer.write(stream.getRoot());
        }
      }
    } catch (Exception e) {
      throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
    }
  }

  private static RuntimeException failure(Exception e) {
    if (e instanceof ObjectStoreException store) {
      ErrorCode code =
          switch (store.reason()) {
            case NOT_FOUND -> ErrorCode.NOT_FOUND;
            case FULL -> ErrorCode.RESOURCE_EXHAUSTED;
            case TIMEOUT -> ErrorCode.UNAVAILABLE;
            case FAILED -> ErrorCode.INVALID_ARGUMENT;
            case IO -> ErrorCode.INTERNAL;
          };
      return new QuiverException(code, e.getMessage());
    }
    return e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
  }

  @Override
  public void close() {
    // The store belongs to the node; nothing of ours to free.
  }

  /**
   * The calls a query makes on its caller's behalf once the caller's action has returned: the
   * caller's identity (so its grants apply and its tickets are its own), no client to cancel.
   */
  private record AsCaller(String identity) implements CallContext {
    @Override
    public String peerIdentity() {
      return identity;
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public <T extends FlightServerMiddleware> T getMiddleware(FlightServerMiddleware.Key<T> key) {
      return null;
    }

    @Override
    public Map<FlightServerMiddleware.Key<?>, FlightServerMiddleware> getMiddleware() {
      return Map.of();
    }
  }

  /** A stream's listener that writes each batch into the object instead of a socket. */
  private static final class Into implements ServerStreamListener {
    private final ObjectWriter writer;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private VectorSchemaRoot root;

    Into(ObjectWriter writer) {
      this.writer = writer;
    }

    void await() {
      try {
        done.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new QuiverException(ErrorCode.CANCELLED, "Interrupted");
      } catch (ExecutionException e) {
        throw e.getCause() instanceof RuntimeException runtime
            ? runtime
            : new IllegalStateException(e.getCause());
      }
    }

    @Override
    public boolean isCancelled() {
      return done.isDone();
    }

    @Override
    public void setOnCancelHandler(Runnable handler) {}

    @Override
    public boolean isReady() {
      return true; // a file takes every batch at once
    }

    @Override
    public void setOnReadyHandler(Runnable handler) {}

    @Override
    public void start(VectorSchemaRoot root, DictionaryProvider dictionaries, IpcOption option) {
      this.root = root;
    }

    @Override
    public void putNext() {
      try {
        synchronized (writer) {
          writer.write(root);
        }
      } catch (RuntimeException e) {
        done.completeExceptionally(e);
        throw e;
      }
    }

    @Override
    public void putNext(ArrowBuf metadata) {
      try (metadata) {
        putNext();
      }
    }

    @Override
    public void putMetadata(ArrowBuf metadata) {
      metadata.close();
    }

    @Override
    public void error(Throwable failure) {
      done.completeExceptionally(failure);
    }

    @Override
    public void completed() {
      done.complete(null);
    }
  }
}
