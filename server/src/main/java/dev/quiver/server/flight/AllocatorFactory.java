package dev.quiver.server.flight;

import dev.quiver.server.config.QuiverConfig;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/** The process's one root allocator, closed last; everything else allocates from children. */
@Factory
public class AllocatorFactory {

  @Singleton
  @Bean(preDestroy = "close")
  BufferAllocator rootAllocator(QuiverConfig config) {
    long limit =
        config.getMemoryLimit() > 0 ? config.getMemoryLimit() : Runtime.getRuntime().maxMemory();
    return new RootAllocator(limit);
  }
}
