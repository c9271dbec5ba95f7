/**
 * How column chunks reach memory: {@link dev.quiver.parquet.io.NioInputFile} reads a local file
 * with positional channel reads straight into the buffers parquet-java asks for, and {@link
 * dev.quiver.parquet.io.ChunkBuffers} lends those buffers out again once a row group is done, so
 * scanning does not allocate (and zero, and collect) a new multi-megabyte array per column chunk;
 * {@link dev.quiver.parquet.io.PageBuffers} does the same for decompressed pages, which the
 * decoders give back once read (a DuckDB file has one page per column chunk: 8 MB for a million
 * doubles).
 */
package dev.quiver.parquet.io;
