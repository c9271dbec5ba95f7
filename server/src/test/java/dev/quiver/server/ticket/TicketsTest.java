package dev.quiver.server.ticket;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import java.util.List;
import org.junit.jupiter.api.Test;

class TicketsTest {
  @Test
  void everyKindOfTicketReadsBackAsItWasWritten() {
    List<QuiverTicket> tickets =
        List.of(
            new ScanTicket("trips", 2, "/data/trips/a.parquet", 0, 3, List.of("id"), null),
            new ScanTicket("trips", ScanTicket.ALL_FILES, "*", 0, 0, List.of(), "SELECT 1"),
            StageTicket.answer("q-1", 2, 1),
            StageTicket.held("q-1", 1, 0),
            new GatheredTicket(List.of(List.of("dGlja2V0", "grpc+tcp://h:1"))),
            StageTicket.running("q-3", 1, "{\"version\":1}", null),
            StageTicket.running(
                "q-3",
                1,
                "{\"version\":1}",
                List.of(new ScanTicket("trips", 0, "a.parquet", 0, 1, List.of(), "SELECT 1"))),
            new ResultTicket("q-2"));
    for (QuiverTicket ticket : tickets) {
      assertThat(Tickets.decode(Tickets.encode(ticket).getBytes())).isEqualTo(ticket);
    }
  }

  @Test
  void aTicketCarriesItsKindAndVersion() {
    String json = new String(Tickets.encode(new ResultTicket("q")).getBytes(), UTF_8);
    assertThat(json).contains("\"kind\":\"result\"").contains("\"version\":5");
  }

  @Test
  void refusesTicketsOfAnotherKindVersionOrShape() {
    byte[] fragment = Tickets.encode(StageTicket.held("q", 2, 0)).getBytes();
    assertInvalid(() -> Tickets.decode(fragment, ScanTicket.class), "Expected a ScanTicket");
    assertInvalid(
        () ->
            Tickets.decode("{\"kind\":\"result\",\"version\":2,\"result\":\"q\"}".getBytes(UTF_8)),
        "Unsupported ticket version 2");
    assertInvalid(
        () -> Tickets.decode("{\"kind\":\"nope\",\"version\":5}".getBytes(UTF_8)), "Malformed");
    assertInvalid(() -> Tickets.decode("[1,2]".getBytes(UTF_8)), "Malformed");
    assertInvalid(() -> Tickets.decode(new byte[Tickets.MAX_BYTES + 1]), "Malformed");
  }

  private static void assertInvalid(Runnable decode, String message) {
    assertThatThrownBy(decode::run)
        .isInstanceOfSatisfying(
            QuiverException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              assertThat(e.getMessage()).contains(message);
            });
  }
}
