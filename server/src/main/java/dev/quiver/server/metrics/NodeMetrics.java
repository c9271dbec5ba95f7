package dev.quiver.server.metrics;

import dev.quiver.parquet.scan.ScanStatistics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.function.Supplier;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallInfo;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightServerMiddleware;
import org.apache.arrow.flight.RequestContext;

/**
 * One node's meters (one registry per node, so several nodes in a process stay apart) and the
 * endpoint Prometheus scrapes. See docs/operations.md for the list.
 */
public final class NodeMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final Counter files;
  private final Counter filesSkipped;
  private final Counter rowGroups;
  private final Counter pagesSkipped;
  private final Counter bytesRead;
  private final Counter storageRequests;
  private final Counter storageBytes;
  private final Counter rowsScanned;
  private final Counter rowsReturned;
  private final Counter[] rowGroupsSkipped;
  private final io.micrometer.core.instrument.DistributionSummary queryPeaks;
  private HTTPServer server;

  public NodeMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    files = counter("quiver.scan.files", "Parquet files scans opened");
    filesSkipped = counter("quiver.scan.files.skipped", "Files skipped by partition values");
    rowGroups = counter("quiver.scan.row.groups", "Row groups scans considered");
    pagesSkipped = counter("quiver.scan.pages.skipped", "Pages skipped by the page index");
    bytesRead = counter("quiver.scan.bytes.read", "Compressed Parquet bytes read");
    storageRequests =
        counter("quiver.scan.storage.requests", "Read requests to storage (ranged GETs on S3)");
    storageBytes = counter("quiver.scan.storage.bytes", "Bytes storage read requests returned");
    rowsScanned = counter("quiver.scan.rows.decoded", "Rows decoded from Parquet");
    rowsReturned = counter("quiver.scan.rows.returned", "Rows that passed the filters");
    queryPeaks =
        io.micrometer.core.instrument.DistributionSummary.builder("quiver.query.memory.peak")
            .description("Peak Arrow memory of each distributed query's state on this node")
            .baseUnit("bytes")
            .publishPercentileHistogram()
            .minimumExpectedValue(1024.0)
            .maximumExpectedValue(64.0 * (1L << 30))
            .register(registry);
    // Exported from the start (at 0), so that dashboards and alerts see them before a shuffle.
    shuffleBytes("stream");
    shuffleBytes("descriptor");
    rowGroupsSkipped = new Counter[4];
    String[] levels = {"statistics", "dictionary", "bloom_filter", "page_index"};
    for (int l = 0; l < levels.length; l++) {
      rowGroupsSkipped[l] =
          Counter.builder("quiver.scan.row.groups.skipped")
              .description("Row groups skipped, by the pushdown level that ruled them out")
              .tag("level", levels[l])
              .register(registry);
    }
  }

  private Counter counter(String name, String description) {
    return Counter.builder(name).description(description).register(registry);
  }

  /** Adds one finished scan's counters. */
  public void scanned(ScanStatistics scan) {
    files.increment(scan.files());
    filesSkipped.increment(scan.filesSkipped());
    rowGroups.increment(scan.rowGroups());
    rowGroupsSkipped[0].increment(scan.rowGroupsSkippedByStatistics());
    rowGroupsSkipped[1].increment(scan.rowGroupsSkippedByDictionary());
    rowGroupsSkipped[2].increment(scan.rowGroupsSkippedByBloomFilter());
    rowGroupsSkipped[3].increment(scan.rowGroupsSkippedByPageIndex());
    pagesSkipped.increment(scan.pagesSkipped());
    bytesRead.increment(scan.bytesRead());
    storageRequests.increment(scan.storageRequests());
    storageBytes.increment(scan.storageBytes());
    rowsScanned.increment(scan.rowsDecoded());
    rowsReturned.increment(scan.rowsReturned());
  }

  /** A gauge read when scraped. */
  public void gauge(String name, String description, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).register(registry);
  }

  /** A counter whose total is read when scraped (it only grows). */
  public void counter(String name, String description, Supplier<Number> total) {
    io.micrometer.core.instrument.FunctionCounter.builder(name, total, t -> t.get().doubleValue())
        .description(description)
        .register(registry);
  }

  /** Records the memory peak of one distributed query's state on this node. */
  public void queryMemoryPeak(long peakBytes) {
    queryPeaks.record(peakBytes);
  }

  /** Counts bytes shuffled out of this node, by descriptor or stream. */
  public void shuffled(long streamedBytes, long descriptorBytes) {
    shuffleBytes("stream").increment(streamedBytes);
    shuffleBytes("descriptor").increment(descriptorBytes);
  }

  private Counter shuffleBytes(String by) {
    return Counter.builder("quiver.shuffle.bytes.out")
        .description("Bytes of shuffle partitions sent to other nodes")
        .tag("by", by)
        .register(registry);
  }

  /** Flight middleware that times every call by method and final status. */
  public FlightServerMiddleware.Factory<FlightServerMiddleware> calls() {
    return (CallInfo info, CallHeaders headers, RequestContext context) -> {
      long started = System.nanoTime();
      String method = info.method().name();
      return new FlightServerMiddleware() {
        @Override
        public void onBeforeSendingHeaders(CallHeaders outgoing) {}

        @Override
        public void onCallCompleted(CallStatus status) {
          Timer.builder("quiver.calls")
              .description("Flight calls by method and status")
              .tag("method", method)
              .tag("status", status.code().name())
              .publishPercentileHistogram()
              .minimumExpectedValue(Duration.ofMillis(1))
              .maximumExpectedValue(Duration.ofMinutes(10))
              .register(registry)
              .record(Duration.ofNanos(System.nanoTime() - started));
        }

        @Override
        public void onCallErrored(Throwable err) {}
      };
    };
  }

  /** The metrics in Prometheus's text format. */
  public String scrape() {
    return registry.scrape();
  }

  /**
   * Serves {@code /metrics} for Prometheus on {@code port} (0: a free one).
   *
   * @return the bound port
   */
  public int serve(String host, int port) {
    try {
      server =
          HTTPServer.builder()
              .hostname(host)
              .port(port)
              .registry(registry.getPrometheusRegistry())
              .buildAndStart();
      return server.getPort();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot serve metrics on port " + port, e);
    }
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
    gc.close();
    registry.close();
  }
}
