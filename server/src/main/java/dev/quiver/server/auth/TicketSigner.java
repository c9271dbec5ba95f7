package dev.quiver.server.auth;

import static java.util.Objects.requireNonNull;

import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.arrow.flight.Ticket;

/**
 * Signs the tickets a node hands to a client, binding each to the user it was issued to and an
 * expiry, and checks them when they come back: a ticket edited by hand, replayed by another user or
 * kept past its expiry is refused before anything else reads it. The signature is an HMAC-SHA256
 * keyed from the cluster secret, so that a ticket for an endpoint on another node checks there too
 * (a node without a secret makes a key of its own).
 *
 * <p>A signed ticket is {@code "QSIG" | version | expiry (seconds) | user length | user | mac |
 * ticket}. The cluster's own nodes ({@link NodeAuthenticator#PEER}) read unsigned tickets, which is
 * how a coordinator reads its peers' parts. Thread-safe.
 */
public final class TicketSigner {
  private static final byte[] MAGIC = "QSIG".getBytes(StandardCharsets.US_ASCII);
  private static final byte VERSION = 1;
  private static final int MAC_BYTES = 32;

  private final byte[] key;
  private final Duration ttl;
  private final Clock clock;

  /**
   * @param clusterSecret the secret every node of the cluster shares, or null for a key of this
   *     node's own (then only this node accepts its tickets)
   * @param ttl how long a ticket may be used after it was issued
   */
  public TicketSigner(String clusterSecret, Duration ttl) {
    this(clusterSecret, ttl, Clock.systemUTC());
  }

  private TicketSigner(byte[] key, Duration ttl, Clock clock) {
    this.key = key;
    this.ttl = ttl;
    this.clock = clock;
  }

  /** A signer with the same key (tickets of one check with the other) and another time to live. */
  public TicketSigner withTtl(Duration otherTtl) {
    return new TicketSigner(key, requireNonNull(otherTtl, "otherTtl is null"), clock);
  }

  TicketSigner(String clusterSecret, Duration ttl, Clock clock) {
    this.ttl = requireNonNull(ttl, "ttl is null");
    this.clock = requireNonNull(clock, "clock is null");
    if (clusterSecret == null || clusterSecret.isBlank()) {
      key = new byte[32];
      new SecureRandom().nextBytes(key);
    } else {
      key = sha256(("quiver-ticket-v1:" + clusterSecret).getBytes(StandardCharsets.UTF_8));
    }
  }

  /** {@code ticket} signed for {@code user}, valid for the ttl from now. */
  public Ticket sign(Ticket ticket, String user) {
    byte[] name = user.getBytes(StandardCharsets.UTF_8);
    byte[] inner = ticket.getBytes();
    long expiry = clock.instant().plus(ttl).getEpochSecond();
    ByteBuffer signed =
        ByteBuffer.allocate(MAGIC.length + 1 + 8 + 2 + name.length + MAC_BYTES + inner.length);
    signed.put(MAGIC).put(VERSION).putLong(expiry).putShort((short) name.length).put(name);
    signed.put(mac(expiry, name, inner)).put(inner);
    return new Ticket(signed.array());
  }

  /**
   * A ticket opened: what is inside it and the user it was issued to.
   *
   * @param ticket the ticket inside the signed one
   * @param user the user it was signed for; for an unsigned ticket (which only the cluster's own
   *     nodes may use), the caller
   */
  public record Opened(Ticket ticket, String user) {
    public Opened {
      requireNonNull(ticket, "ticket is null");
      requireNonNull(user, "user is null");
    }
  }

  /**
   * The ticket inside {@code ticket} if {@code caller} may use it.
   *
   * @throws QuiverException INVALID_ARGUMENT for a ticket whose signature does not match (edited,
   *     or signed by another cluster); PERMISSION_DENIED for an unsigned ticket from a client, one
   *     issued to another user, or an expired one
   */
  public Ticket verify(Ticket ticket, String caller) {
    return open(ticket, caller).ticket();
  }

  /**
   * Opens {@code ticket} for {@code caller}: the ticket inside and the user it was issued to. The
   * cluster's own nodes may open any user's ticket (a node forwarding a user's cancel, say) and
   * learn whose it is.
   *
   * @throws QuiverException as {@link #verify} does
   */
  public Opened open(Ticket ticket, String caller) {
    byte[] bytes = ticket.getBytes();
    if (!isSigned(bytes)) {
      if (NodeAuthenticator.PEER.equals(caller)) {
        return new Opened(ticket, caller);
      }
      throw new QuiverException(
          ErrorCode.PERMISSION_DENIED,
          "The ticket is not one this cluster issued: use the tickets of a FlightInfo");
    }
    ByteBuffer signed = ByteBuffer.wrap(bytes);
    signed.position(MAGIC.length);
    byte version = signed.get();
    if (version != VERSION || signed.remaining() < 8 + 2) {
      throw tampered();
    }
    long expiry = signed.getLong();
    int nameLength = Short.toUnsignedInt(signed.getShort());
    if (signed.remaining() < nameLength + MAC_BYTES) {
      throw tampered();
    }
    byte[] name = new byte[nameLength];
    signed.get(name);
    byte[] mac = new byte[MAC_BYTES];
    signed.get(mac);
    byte[] inner = new byte[signed.remaining()];
    signed.get(inner);
    if (!MessageDigest.isEqual(mac, mac(expiry, name, inner))) {
      throw tampered();
    }
    String user = new String(name, StandardCharsets.UTF_8);
    if (!user.equals(caller) && !NodeAuthenticator.PEER.equals(caller)) {
      throw new QuiverException(
          ErrorCode.PERMISSION_DENIED, "The ticket was issued to another user");
    }
    Instant expired = Instant.ofEpochSecond(expiry);
    if (clock.instant().isAfter(expired)) {
      throw new QuiverException(
          ErrorCode.PERMISSION_DENIED,
          "The ticket expired at " + expired + "; ask for the FlightInfo again");
    }
    return new Opened(new Ticket(inner), user);
  }

  /** Whether {@code bytes} are a signed ticket (signed correctly or not). */
  public static boolean isSigned(byte[] bytes) {
    return bytes.length > MAGIC.length
        && Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
  }

  private static QuiverException tampered() {
    return new QuiverException(
        ErrorCode.INVALID_ARGUMENT,
        "The ticket's signature does not match: it was changed after this cluster issued it");
  }

  private byte[] mac(long expiry, byte[] user, byte[] inner) {
    try {
      Mac hmac = Mac.getInstance("HmacSHA256");
      hmac.init(new SecretKeySpec(key, "HmacSHA256"));
      hmac.update(ByteBuffer.allocate(8).putLong(expiry).array());
      hmac.update(ByteBuffer.allocate(4).putInt(user.length).array());
      hmac.update(user);
      hmac.update(inner);
      return hmac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
