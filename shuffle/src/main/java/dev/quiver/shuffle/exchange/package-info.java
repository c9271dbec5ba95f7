/**
 * Moving Arrow batches between nodes over Flight. The sending side ({@link
 * dev.quiver.shuffle.exchange.ExchangeSink}) splits batches by a {@link
 * dev.quiver.shuffle.exchange.Partitioning} (hash, range, single) and hands each partition to an
 * {@link dev.quiver.shuffle.exchange.ExchangeTarget}: another node over a {@code DoPut} described
 * by an {@link dev.quiver.shuffle.exchange.ExchangeDescriptor}, written with Flight's zero-copy
 * write and the receiver's backpressure ({@link dev.quiver.shuffle.exchange.BatchSender}), or this
 * node's own receiver. The receiving side ({@link dev.quiver.shuffle.exchange.ExchangeSource})
 * hands each arriving batch to the partition's owner. Knows Flight's streams, not the server.
 */
package dev.quiver.shuffle.exchange;
