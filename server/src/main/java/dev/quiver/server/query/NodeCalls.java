package dev.quiver.server.query;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.IntConsumer;
import org.apache.arrow.flight.Location;
import org.slf4j.LoggerFactory;

/**
 * How a coordinator calls the nodes of a query: each as a {@link QueryNode} (this node's local, the
 * others remote: the one place that tells them apart), a stage on every node in parallel, failing
 * on the first failure and stopping when the client cancels; and the release of the query
 * everywhere, whatever happened.
 */
final class NodeCalls {
  private final Cluster cluster;
  private final FragmentWorker worker;
  private final ExecutorService executor;

  /**
   * @param worker this node's part, called directly rather than over Flight
   * @param executor runs the calls in parallel
   */
  NodeCalls(Cluster cluster, FragmentWorker worker, ExecutorService executor) {
    this.cluster = requireNonNull(cluster, "cluster is null");
    this.worker = requireNonNull(worker, "worker is null");
    this.executor = requireNonNull(executor, "executor is null");
  }

  /** The node at {@code location}, this one or another. */
  QueryNode node(Location location) {
    return cluster.isSelf(location)
        ? new LocalQueryNode(location, worker)
        : new RemoteQueryNode(cluster, location, worker.settings().peerTimeout());
  }

  /** The nodes at {@code locations}, in order. */
  List<QueryNode> nodes(List<Location> locations) {
    return locations.stream().map(this::node).toList();
  }

  /**
   * Runs {@code call} for every node in parallel and waits for all, failing on the first failure.
   */
  <T> List<T> onEvery(
      List<QueryNode> nodes,
      Function<QueryNode, T> call,
      BooleanSupplier cancelled,
      IntConsumer finished) {
    List<Future<T>> futures = new ArrayList<>();
    for (QueryNode node : nodes) {
      futures.add(executor.submit(() -> call.apply(node)));
    }
    List<T> results = new ArrayList<>();
    try {
      for (Future<T> future : futures) {
        while (true) {
          try {
            results.add(future.get(50, TimeUnit.MILLISECONDS));
            finished.accept(results.size());
            break;
          } catch (TimeoutException e) {
            if (cancelled.getAsBoolean()) {
              throw cancelled("");
            }
            if (futures.stream().anyMatch(f -> f.isDone() && failed(f))) {
              futures.stream().filter(f -> f.isDone() && failed(f)).findFirst().get().get();
            }
          }
        }
      }
      return results;
    } catch (ExecutionException e) {
      futures.forEach(f -> f.cancel(true));
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new QuiverException(ErrorCode.INTERNAL, "A stage failed: " + cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      futures.forEach(f -> f.cancel(true));
      throw cancelled("");
    } catch (RuntimeException e) {
      futures.forEach(f -> f.cancel(true));
      throw e;
    }
  }

  private static boolean failed(Future<?> future) {
    try {
      future.get(0, TimeUnit.MILLISECONDS);
      return false;
    } catch (Exception e) {
      return true;
    }
  }

  static QuiverException cancelled(String queryId) {
    return new QuiverException(
        ErrorCode.CANCELLED, "Query " + queryId + " was cancelled by the client");
  }

  /** Releases the query on every node, waiting a little for the answers. */
  void releaseEverywhere(String queryId, List<QueryNode> nodes) {
    List<Future<?>> releases = new ArrayList<>();
    for (QueryNode node : nodes) {
      try {
        releases.add(executor.submit(() -> node.release(queryId)));
      } catch (RejectedExecutionException e) {
        node.release(queryId); // shutting down: release here and now
      }
    }
    for (Future<?> release : releases) {
      try {
        release.get(6, TimeUnit.SECONDS);
      } catch (Exception e) {
        LoggerFactory.getLogger(NodeCalls.class)
            .debug("Query {}: release did not finish: {}", queryId, e.toString());
      }
    }
  }
}
