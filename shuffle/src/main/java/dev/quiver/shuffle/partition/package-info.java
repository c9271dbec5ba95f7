/** Hash partitioning of partial results: which peer owns which group keys. */
package dev.quiver.shuffle.partition;
