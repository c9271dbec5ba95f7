/**
 * A node's metrics, in Micrometer, scraped by Prometheus from an HTTP port of their own: calls by
 * method and status with latency histograms, what scans read and skipped, memory, streams and
 * queries, and the JVM's.
 */
package dev.quiver.server.metrics;
