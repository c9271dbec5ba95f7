package dev.quiver.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.arrow.flight.Ticket;
import org.junit.jupiter.api.Test;

/** Signed tickets expire, and only the cluster that signed them reads them. */
class TicketSignerTest {
  private static final Ticket TICKET =
      new Ticket("{\"kind\":\"scan\"}".getBytes(StandardCharsets.UTF_8));
  private static final Instant NOON = Instant.parse("2026-12-01T12:00:00Z");

  @Test
  void aTicketIsReadUntilItsTtlAndRefusedAfter() {
    Ticket signed = signer("secret", NOON).sign(TICKET, "ana");
    Instant lastSecond = NOON.plus(Duration.ofHours(1));
    assertThat(signer("secret", lastSecond).verify(signed, "ana").getBytes())
        .isEqualTo(TICKET.getBytes());
    assertThatThrownBy(() -> signer("secret", lastSecond.plusSeconds(1)).verify(signed, "ana"))
        .isInstanceOfSatisfying(
            QuiverException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED))
        .hasMessageContaining("expired at 2026-12-01T13:00:00Z");
  }

  @Test
  void anotherClustersTicketDoesNotCheckButPeersReadUnsignedOnes() {
    Ticket signed = signer("secret", NOON).sign(TICKET, "ana");
    assertThatThrownBy(() -> signer("another secret", NOON).verify(signed, "ana"))
        .isInstanceOfSatisfying(
            QuiverException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    assertThat(signer("secret", NOON).verify(signed, NodeAuthenticator.PEER).getBytes())
        .isEqualTo(TICKET.getBytes());
    assertThat(signer("secret", NOON).verify(TICKET, NodeAuthenticator.PEER)).isSameAs(TICKET);
  }

  private static TicketSigner signer(String secret, Instant now) {
    return new TicketSigner(secret, Duration.ofHours(1), Clock.fixed(now, ZoneOffset.UTC));
  }
}
