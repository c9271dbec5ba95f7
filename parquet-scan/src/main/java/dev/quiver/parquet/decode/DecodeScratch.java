package dev.quiver.parquet.decode;

/**
 * Heap arrays a page decoder decodes into, kept by a reader for one column across its row groups:
 * without it every row group's decoders grew new ones (a column chunk's page of dictionary ids is
 * megabytes), a third of a 7-column scan's heap allocation.
 *
 * <p>Used by one decoder at a time (a reader's decoders of one column follow each other); not
 * thread-safe.
 */
public final class DecodeScratch {
  /** A direct page's definition levels, copied to the heap. */
  byte[] levelsCopy = new byte[0];

  /** A direct page's values read value by value (dictionary ids, strings, decimals). */
  byte[] valuesCopy = new byte[0];

  /** Decoded definition levels of a run. */
  int[] levels = new int[0];

  /** Decoded dictionary ids of a run. */
  int[] keys = new int[0];
}
