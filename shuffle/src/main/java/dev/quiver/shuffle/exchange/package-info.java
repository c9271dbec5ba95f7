/**
 * Moving Arrow batches between nodes over Flight: rows of a result sent with Flight's zero-copy
 * write and the receiver's backpressure ({@link dev.quiver.shuffle.exchange.BatchSender}), and the
 * allocators those writes borrow from closed once gRPC gave the buffers back. Knows Flight's stream
 * listeners, not the server.
 */
package dev.quiver.shuffle.exchange;
