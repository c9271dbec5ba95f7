/**
 * The cluster as one node sees it: its own advertised address, its peers, one Flight client per
 * peer, and how a dataset's files are placed across nodes.
 */
package dev.quiver.server.cluster;
