/**
 * Spilling to local disk: a node's {@link dev.quiver.shuffle.spill.SpillSpace}, the compressed
 * Arrow IPC files in it ({@link dev.quiver.shuffle.spill.SpillFile}), and the hash aggregation that
 * writes its state there when it outgrows its memory budget ({@link
 * dev.quiver.shuffle.spill.SpillingAggregator}).
 */
package dev.quiver.shuffle.spill;
