package dev.quiver.server.flight;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AllocatorFactoryTest {
  private static final long HEAP = 512L << 20;

  @Test
  void theConfiguredMemoryLimitWins() {
    assertThat(AllocatorFactory.rootLimit(1L << 30, "2147483648", HEAP)).isEqualTo(1L << 30);
  }

  @Test
  void withoutOneTheJvmsDirectMemoryLimitBoundsArrow() {
    assertThat(AllocatorFactory.rootLimit(0, "2147483648", HEAP)).isEqualTo(2L << 30);
  }

  @Test
  void directMemoryLeftToItsDefaultMeansTheHeapsMaximumAsInTheJvm() {
    assertThat(AllocatorFactory.rootLimit(0, "0", HEAP)).isEqualTo(HEAP);
    assertThat(AllocatorFactory.rootLimit(0, null, HEAP)).isEqualTo(HEAP);
    assertThat(AllocatorFactory.rootLimit(0, "not a number", HEAP)).isEqualTo(HEAP);
  }
}
