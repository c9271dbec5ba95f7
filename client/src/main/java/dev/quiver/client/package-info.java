/**
 * The Java client of Quiver: connect to a node, list datasets, read them as Arrow batches with all
 * endpoints fetched in parallel. Depends on Flight only, never on server code.
 */
package dev.quiver.client;
