/**
 * Distributed aggregation: the coordinator that runs a query across the cluster, the fragment of a
 * query that every peer runs (scan and partial aggregation, shuffle, final aggregation), and the
 * internal protocol between them.
 */
package dev.quiver.server.query;
