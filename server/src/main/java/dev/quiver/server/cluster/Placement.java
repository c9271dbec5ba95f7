package dev.quiver.server.cluster;

import java.util.Locale;
import java.util.Set;

/** Where a dataset's files are, as the cluster sees them. */
public enum Placement {
  /** Each node has its own files; the dataset is their union and each node scans its own. */
  PEER_LOCAL,
  /** Every node sees the same files; the coordinator hands row-group splits out to the nodes. */
  SHARED;

  private static final Set<String> SHARED_SCHEMES =
      Set.of("hdfs", "s3a", "s3", "gs", "abfs", "abfss", "wasb", "wasbs");

  /**
   * The placement of a dataset: shared when configured so, or when its location is on a filesystem
   * every node reaches (hdfs://, s3a://, gs://, abfs://, ...); peer-local otherwise.
   */
  public static Placement of(String location, boolean configuredShared) {
    int colon = location.indexOf("://");
    String scheme = colon > 0 ? location.substring(0, colon).toLowerCase(Locale.ROOT) : "file";
    return configuredShared || SHARED_SCHEMES.contains(scheme) ? SHARED : PEER_LOCAL;
  }
}
