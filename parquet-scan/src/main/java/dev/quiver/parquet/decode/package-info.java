/**
 * Decoders that move values from parquet-column's low-level column readers straight into Arrow
 * vectors, never through row objects. Kept apart from pushdown so it can be tuned on its own;
 * depends on parquet-column and arrow-vector only.
 */
package dev.quiver.parquet.decode;
