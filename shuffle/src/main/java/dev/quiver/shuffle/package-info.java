/**
 * Distributed aggregation building blocks that know nothing of a server: the hash aggregation
 * kernel over Arrow vectors ({@link dev.quiver.shuffle.aggregate}), the hashing of group keys that
 * both the kernel and the partitioner use ({@link dev.quiver.shuffle.key}), and the split of a
 * partial result into one batch stream per owning peer ({@link dev.quiver.shuffle.partition}).
 */
package dev.quiver.shuffle;
