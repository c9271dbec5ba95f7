package dev.quiver.server.flight;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.server.auth.Caller;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.query.CoordinatedResult;
import dev.quiver.server.sql.AggregatePlan;
import dev.quiver.server.ticket.ResultTicket;
import dev.quiver.server.ticket.Tickets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.PollInfo;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Aggregations started by {@code PollFlightInfo}: they run in the background while the client polls
 * with the descriptor it was given, see their progress, and, once done, read the answer from this
 * node with the ticket of the final FlightInfo. An answer nobody reads, or a query nobody polls, is
 * dropped after its time to live.
 */
final class PolledQueries implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PolledQueries.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, Polled> polls = new ConcurrentHashMap<>();
  private final Duration ttl;
  private final ScheduledExecutorService reaper =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "quiver-poll-reaper");
            thread.setDaemon(true);
            return thread;
          });

  /** One polled query: its plan, progress, and answer once done. */
  static final class Polled {
    final String id;
    final AggregatePlan plan;
    final FlightDescriptor original;
    final BufferAllocator allocator;
    final CompletableFuture<CoordinatedResult> result = new CompletableFuture<>();
    final Instant expires;

    /** Who started it: the only user who may cancel it. */
    final String user = Caller.current().orElse("");

    volatile double progress;
    volatile boolean cancelled;

    Polled(
        String id,
        AggregatePlan plan,
        FlightDescriptor original,
        BufferAllocator allocator,
        Duration ttl) {
      this.id = id;
      this.plan = plan;
      this.original = original;
      this.allocator = allocator;
      this.expires = Instant.now().plus(ttl);
    }

    /** Frees the answer and the allocator, now or when the running query ends. */
    void release() {
      cancelled = true;
      result.whenComplete(
          (answer, failure) -> {
            if (answer != null) {
              answer.close();
            }
            allocator.close();
          });
    }
  }

  PolledQueries(Duration ttl) {
    this.ttl = ttl;
    reaper.scheduleWithFixedDelay(this::expire, 1, 1, TimeUnit.SECONDS);
  }

  /**
   * Registers a new polled query.
   *
   * @param allocator the query's allocator on this node; the registry owns and closes it
   */
  Polled add(AggregatePlan plan, FlightDescriptor original, BufferAllocator allocator, String id) {
    Polled polled = new Polled(id, plan, original, allocator, ttl);
    polls.put(id, polled);
    return polled;
  }

  static String newId() {
    return UUID.randomUUID().toString();
  }

  /**
   * The polled query of {@code id}.
   *
   * @throws QuiverException NOT_FOUND when it was read, cancelled or expired
   */
  Polled require(String id) {
    Polled polled = polls.get(id);
    if (polled == null) {
      throw new QuiverException(
          ErrorCode.NOT_FOUND,
          "Polled query " + id + " is unknown: it was read, cancelled or expired");
    }
    return polled;
  }

  /** Removes and returns the polled query of {@code id}, to read its answer. */
  Polled take(String id) {
    Polled polled = require(id);
    polls.remove(id, polled);
    return polled;
  }

  /**
   * Cancels a polled query of {@code user}'s; another user's is left alone.
   *
   * @return whether it was still running
   */
  boolean cancel(String id, String user) {
    Polled polled = polls.get(id);
    if (polled == null || !polled.user.equals(user) || !polls.remove(id, polled)) {
      return false;
    }
    boolean running = !polled.result.isDone();
    polled.release();
    return running;
  }

  /**
   * What a poll answers: while running, a FlightInfo without endpoints, the progress and the
   * descriptor to poll again; when done, the FlightInfo whose one endpoint reads the answer here.
   *
   * @throws QuiverException or the query's own failure, once it failed
   */
  PollInfo pollInfo(Polled polled, Location self) {
    // The query may end while this poll answers: whether it is done is read once, here.
    CoordinatedResult answer = null;
    if (polled.result.isDone()) {
      try {
        answer = polled.result.join();
      } catch (java.util.concurrent.CancellationException e) {
        polls.remove(polled.id, polled);
        polled.release();
        throw new QuiverException(
            ErrorCode.CANCELLED, "Polled query " + polled.id + " was cancelled");
      } catch (CompletionException e) {
        polls.remove(polled.id, polled);
        polled.release();
        throw e.getCause() instanceof RuntimeException runtime
            ? runtime
            : new QuiverException(ErrorCode.INTERNAL, "Query failed: " + e.getCause());
      }
    }
    byte[] metadata =
        ("{\"poll\":\"" + polled.id + "\",\"resultVia\":\"coordinator\"}")
            .getBytes(StandardCharsets.UTF_8);
    if (answer != null && !answer.endpoints().isEmpty()) {
      // The answer stays on its owners: one endpoint on each; nothing is left to keep here.
      List<FlightEndpoint> endpoints = answer.endpoints();
      byte[] owners =
          ("{\"poll\":\"" + polled.id + "\",\"resultVia\":\"owners\"}")
              .getBytes(StandardCharsets.UTF_8);
      if (polls.remove(polled.id, polled)) {
        polled.release();
      }
      FlightInfo info =
          new FlightInfo(
              polled.plan.schema(),
              polled.original,
              endpoints,
              -1,
              -1,
              false,
              IpcOption.DEFAULT,
              owners);
      return new PollInfo(info, null, 1.0, polled.expires);
    }
    if (answer != null) {
      FlightEndpoint endpoint = new FlightEndpoint(resultTicket(polled.id), self);
      FlightInfo info =
          new FlightInfo(
              polled.plan.schema(),
              polled.original,
              List.of(endpoint),
              -1,
              -1,
              false,
              IpcOption.DEFAULT,
              metadata);
      return new PollInfo(info, null, 1.0, polled.expires);
    }
    FlightInfo running =
        new FlightInfo(
            polled.plan.schema(),
            polled.original,
            List.of(),
            -1,
            -1,
            false,
            IpcOption.DEFAULT,
            metadata);
    return new PollInfo(running, pollDescriptor(polled.id), polled.progress, polled.expires);
  }

  /** The descriptor a client polls again with. */
  static FlightDescriptor pollDescriptor(String id) {
    return FlightDescriptor.command(("{\"poll\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  static Ticket resultTicket(String id) {
    return Tickets.encode(new ResultTicket(id));
  }

  /** The poll id of a poll descriptor's command or a FlightInfo's metadata. */
  static String id(byte[] json, String field) {
    if (json == null || json.length == 0 || json[0] != '{') {
      return null;
    }
    try {
      JsonNode node = JSON.readTree(json);
      return node.has(field) && node.size() <= 2 ? node.get(field).asText() : null;
    } catch (IOException e) {
      return null;
    }
  }

  private void expire() {
    Instant now = Instant.now();
    for (Polled polled : polls.values()) {
      if (now.isAfter(polled.expires) && polls.remove(polled.id, polled)) {
        LOG.warn("Polled query {} expired unread after {}; freeing it", polled.id, ttl);
        polled.release();
      }
    }
  }

  @Override
  public void close() {
    reaper.shutdownNow();
    for (Polled polled : polls.values()) {
      cancel(polled.id, polled.user);
    }
  }
}
