/**
 * Hash aggregation over Arrow vectors: group keys live in Arrow vectors found through an
 * open-addressing table, and each aggregate keeps its running state in Arrow vectors too, so a
 * partial result is shipped to its owner exactly as it sits in memory.
 */
package dev.quiver.shuffle.aggregate;
