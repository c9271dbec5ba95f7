package dev.quiver.server.ticket;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import java.io.IOException;
import org.apache.arrow.flight.Ticket;

/**
 * The one codec of {@link QuiverTicket}s: {@code {"kind": ..., "version": 4, ...}}. A ticket that
 * is not one, of another version, or larger than any ticket a node writes is INVALID_ARGUMENT
 * before anything else happens.
 */
public final class Tickets {
  /** The ticket format this node writes and reads. */
  public static final int VERSION = 5;

  /** Larger than any ticket a node writes (a scan ticket carries its query's text). */
  static final int MAX_BYTES = 16 << 20;

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

  private Tickets() {}

  public static Ticket encode(QuiverTicket ticket) {
    ObjectNode node = JSON.valueToTree(ticket);
    node.put("version", VERSION);
    try {
      return new Ticket(JSON.writeValueAsBytes(node));
    } catch (IOException e) {
      throw new IllegalStateException("Cannot encode " + ticket, e);
    }
  }

  /**
   * Reads a ticket.
   *
   * @throws QuiverException INVALID_ARGUMENT if the bytes are not a ticket of this version
   */
  public static QuiverTicket decode(byte[] bytes) {
    if (bytes.length > MAX_BYTES) {
      throw malformed(bytes);
    }
    ObjectNode node;
    try {
      JsonNode tree = JSON.readTree(bytes);
      if (!(tree instanceof ObjectNode object) || !object.has("kind")) {
        throw malformed(bytes);
      }
      node = object;
    } catch (IOException e) {
      throw malformed(bytes);
    }
    JsonNode version = node.remove("version");
    if (version == null || !version.isInt() || version.asInt() != VERSION) {
      throw new QuiverException(
          ErrorCode.INVALID_ARGUMENT,
          "Unsupported ticket version "
              + (version == null ? "(none)" : version.asText())
              + "; this node reads version "
              + VERSION);
    }
    try {
      return JSON.treeToValue(node, QuiverTicket.class);
    } catch (IOException | RuntimeException e) {
      throw malformed(bytes);
    }
  }

  /**
   * Whether {@code ticket} reads a stage's output for another node: a call between nodes, not meant
   * for clients (a malformed ticket is not internal; reading it fails as it would anyway).
   */
  public static boolean isInternal(Ticket ticket) {
    try {
      QuiverTicket decoded = decode(ticket.getBytes());
      return decoded instanceof StageTicket stage && stage.isInternal();
    } catch (QuiverException e) {
      return false;
    }
  }

  /** Reads a ticket that must be of {@code kind}. */
  public static <T extends QuiverTicket> T decode(byte[] bytes, Class<T> kind) {
    QuiverTicket ticket = decode(bytes);
    if (!kind.isInstance(ticket)) {
      throw new QuiverException(
          ErrorCode.INVALID_ARGUMENT,
          "Expected a " + kind.getSimpleName() + ", got a " + ticket.getClass().getSimpleName());
    }
    return kind.cast(ticket);
  }

  private static QuiverException malformed(byte[] bytes) {
    return new QuiverException(
        ErrorCode.INVALID_ARGUMENT,
        "Malformed ticket (" + bytes.length + " bytes): not a Quiver ticket");
  }
}
