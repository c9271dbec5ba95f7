package dev.quiver.server.exec;

/** Which rows a join hands on. */
public enum JoinType {
  INNER,
  /** Every probe row, NULLs for the build's columns where nothing matched. */
  LEFT,
  /** Every build row, NULLs for the probe's columns where nothing matched. */
  RIGHT,
  FULL,
  /** Probe rows with a match, once each. */
  SEMI,
  /** Probe rows without a match. */
  ANTI;

  /** Whether the output has the build's columns. */
  public boolean outputsBuild() {
    return this != SEMI && this != ANTI;
  }
}
