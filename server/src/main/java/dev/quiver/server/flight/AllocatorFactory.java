package dev.quiver.server.flight;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.quiver.server.config.QuiverConfig;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.lang.management.ManagementFactory;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/** The process's one root allocator, closed last; everything else allocates from children. */
@Factory
public class AllocatorFactory {

  @Singleton
  @Bean(preDestroy = "close")
  BufferAllocator rootAllocator(QuiverConfig config) {
    return new RootAllocator(
        rootLimit(
            config.getMemoryLimit(), maxDirectMemoryOption(), Runtime.getRuntime().maxMemory()));
  }

  /**
   * The root allocator's limit: {@code memory-limit} when set, else the JVM's direct-memory limit
   * ({@code -XX:MaxDirectMemorySize}, whose default is the heap's maximum).
   *
   * @param maxDirectMemory the JVM option's value in bytes, "0" or null when not set
   */
  static long rootLimit(long configured, String maxDirectMemory, long heapMax) {
    if (configured > 0) {
      return configured;
    }
    try {
      long direct = maxDirectMemory == null ? 0 : Long.parseLong(maxDirectMemory.trim());
      return direct > 0 ? direct : heapMax;
    } catch (NumberFormatException e) {
      return heapMax;
    }
  }

  private static String maxDirectMemoryOption() {
    try {
      return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
          .getVMOption("MaxDirectMemorySize")
          .getValue();
    } catch (RuntimeException e) {
      return null; // not a HotSpot JVM: the heap's maximum, as the JVM's own default
    }
  }
}
