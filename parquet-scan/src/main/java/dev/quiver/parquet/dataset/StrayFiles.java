package dev.quiver.parquet.dataset;

/**
 * What loading a dataset does with a file that is plainly not Parquet (no {@code .parquet}, {@code
 * .parq} or {@code .pq} name and no Parquet magic at its end: a README, a CSV beside the data).
 */
public enum StrayFiles {
  /** Leave it out, with a warning naming it. */
  SKIP,
  /** Fail the dataset, naming it. */
  REJECT
}
