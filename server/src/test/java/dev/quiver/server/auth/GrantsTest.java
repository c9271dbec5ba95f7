package dev.quiver.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A grants file gives each user the datasets granted to their name or any of their roles. */
class GrantsTest {
  @TempDir Path dir;

  private Grants grants(String yaml) throws Exception {
    Path file = dir.resolve("grants.yml");
    Files.writeString(file, yaml);
    return Grants.read(file);
  }

  @Test
  void usersReadWhatTheirNameOrARoleIsGranted() throws Exception {
    Grants grants =
        grants(
            """
            users:
              ana: [trips, sales]
              root: ["*"]
            roles:
              hr: [salaries]
            """);
    assertThat(grants.allows("ana", Set.of(), "trips")).isTrue();
    assertThat(grants.allows("ana", Set.of(), "salaries")).isFalse();
    assertThat(grants.allows("ana", Set.of("hr"), "salaries")).isTrue();
    assertThat(grants.allows("root", Set.of(), "anything")).isTrue();
    assertThat(grants.allows("carl", Set.of("finance"), "trips")).isFalse();
  }

  @Test
  void anEmptyFileGrantsNothing() throws Exception {
    assertThat(grants("").allows("ana", Set.of("hr"), "trips")).isFalse();
  }

  @Test
  void aMalformedFileIsRefusedNamingTheFileAndTheEntry() {
    assertThatThrownBy(() -> grants("users:\n  ana: trips\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("grants.yml")
        .hasMessageContaining("users.ana must be a list of dataset names");
    assertThatThrownBy(() -> grants("user:\n  ana: [trips]\n"))
        .hasMessageContaining("unknown key 'user'");
    assertThatThrownBy(() -> grants("users: [ana\n")).hasMessageContaining("is not YAML");
  }
}
