package dev.quiver.parquet.pushdown;

/** The pushdown levels, cheapest first. */
public enum PruningLevel {
  /** Column chunk min/max and null counts from the footer; no I/O. */
  STATISTICS,
  /** The dictionary page of dictionary-encoded chunks. */
  DICTIONARY,
  /** Split-block bloom filters, for equality and IN. */
  BLOOM_FILTER,
  /** Per-page min/max from the column index, mapped to rows by the offset index. */
  PAGE_INDEX
}
