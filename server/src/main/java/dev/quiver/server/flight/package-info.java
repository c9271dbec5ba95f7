/**
 * The Flight face of a node: the producer that answers Flight calls, the versioned tickets it hands
 * out, the mapping of errors to Flight statuses, and the server's lifecycle with the gRPC health
 * service. Depends on the catalog and parquet-scan; the only package here that knows Flight.
 */
package dev.quiver.server.flight;
