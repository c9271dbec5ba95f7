/**
 * {@code quiver demo}: a three-node cluster on this machine answering a distributed aggregation.
 */
package dev.quiver.server.demo;
