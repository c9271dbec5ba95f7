package dev.quiver.server.query;

import dev.quiver.server.cluster.Cluster;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Result;
import org.apache.arrow.memory.OutOfMemoryException;

/**
 * Calls from one node to another, with a deadline, and failures that name the peer: a node that is
 * down or does not answer in time is UNAVAILABLE; its own errors keep their status.
 */
public final class PeerCalls {
  private PeerCalls() {}

  public static CallOption timeout(Duration timeout) {
    return CallOptions.timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Runs an action on {@code peer} and returns the body of its one result. */
  public static byte[] actionBytes(
      Cluster cluster, Location peer, String type, Object body, Duration timeout) {
    try {
      Iterator<Result> results =
          cluster
              .client(peer)
              .doAction(new Action(type, FragmentProtocol.encode(body)), timeout(timeout));
      byte[] value = results.next().getBody();
      while (results.hasNext()) {
        results.next();
      }
      return value;
    } catch (FlightRuntimeException e) {
      throw failure(peer, e);
    }
  }

  /** Runs a fragment action on {@code peer} and decodes its one JSON reply. */
  public static <T> T action(
      Cluster cluster, Location peer, String type, Object body, Class<T> reply, Duration timeout) {
    return action(cluster, peer, type, body, reply, timeout, null);
  }

  /** As {@link #action(Cluster, Location, String, Object, Class, Duration)}, naming the stage. */
  public static <T> T action(
      Cluster cluster,
      Location peer,
      String type,
      Object body,
      Class<T> reply,
      Duration timeout,
      String during) {
    try {
      Iterator<Result> results =
          cluster
              .client(peer)
              .doAction(new Action(type, FragmentProtocol.encode(body)), timeout(timeout));
      T value = reply == null ? null : FragmentProtocol.decode(results.next().getBody(), reply);
      while (results.hasNext()) {
        results.next();
      }
      return value;
    } catch (FlightRuntimeException e) {
      throw failure(peer, e, during);
    }
  }

  /** Whether Arrow ran out of memory somewhere under {@code failure}. */
  static boolean outOfMemory(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof OutOfMemoryException) {
        return true;
      }
    }
    return false;
  }

  /** What a failed call to {@code peer} means for the query. */
  public static QuiverException failure(Location peer, FlightRuntimeException e) {
    return failure(peer, e, null);
  }

  /**
   * What a failed call to {@code peer} means for the query, naming what the peer was doing.
   *
   * @param during e.g. "the shuffle of query 1234", or null
   */
  public static QuiverException failure(Location peer, FlightRuntimeException e, String during) {
    String address = peer.getUri().toString() + (during == null ? "" : " during " + during);
    String description = e.status().description();
    if (outOfMemory(e)) {
      return new QuiverException(
          ErrorCode.RESOURCE_EXHAUSTED,
          "This node ran out of memory reading from peer " + address + ": " + e.getMessage());
    }
    return switch (e.status().code()) {
      case UNAVAILABLE, TIMED_OUT ->
          new QuiverException(
              ErrorCode.UNAVAILABLE,
              "Peer " + address + " is unavailable (" + e.status().code() + "): " + description);
      case CANCELLED ->
          // The coordinator does not cancel calls it still waits for: the peer stopped it.
          new QuiverException(
              ErrorCode.UNAVAILABLE,
              "Peer "
                  + address
                  + " stopped its part of the query (shutting down?): "
                  + description);
      case INVALID_ARGUMENT -> new QuiverException(ErrorCode.INVALID_ARGUMENT, description);
      case NOT_FOUND ->
          new QuiverException(ErrorCode.NOT_FOUND, "Peer " + address + ": " + description);
      case RESOURCE_EXHAUSTED -> new QuiverException(ErrorCode.RESOURCE_EXHAUSTED, description);
      case UNIMPLEMENTED ->
          new QuiverException(ErrorCode.UNIMPLEMENTED, "Peer " + address + ": " + description);
      default ->
          new QuiverException(ErrorCode.INTERNAL, "Peer " + address + " failed: " + description);
    };
  }
}
