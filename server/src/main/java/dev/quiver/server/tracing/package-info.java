/**
 * OpenTelemetry spans for Flight calls across nodes: a span per call on every node, the caller's
 * context carried in the W3C {@code traceparent} header of calls between nodes, exported over OTLP
 * when configured and not created at all otherwise.
 */
package dev.quiver.server.tracing;
