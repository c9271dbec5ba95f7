package dev.quiver.server.ticket;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.dataset.DataFile;
import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.parquet.scan.FileSplit;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import java.util.List;
import org.apache.arrow.flight.Ticket;

/**
 * What a {@code DoGet} reads: a range of row groups of one file of a dataset, and either the
 * columns or the SQL query to answer from them. A query ticket with {@code file} {@value
 * #ALL_FILES} reads every file its filter can match, in order: the single endpoint of a query with
 * a LIMIT or an ORDER BY.
 *
 * @param dataset the dataset's name
 * @param file index of the file in the dataset's sorted file list
 * @param path the file's path relative to the dataset's location (its name, for a file outside the
 *     location's directory, as a glob matches), checked against the catalog so a ticket can never
 *     name other files; clients never see where the node keeps its data
 * @param firstRowGroup first row group, inclusive
 * @param endRowGroup last row group, exclusive
 * @param columns the columns to read, in order; empty for a query ticket
 * @param sql the query to answer, or null for a plain read of {@code columns}
 */
public record ScanTicket(
    String dataset,
    int file,
    String path,
    int firstRowGroup,
    int endRowGroup,
    List<String> columns,
    String sql)
    implements QuiverTicket {
  public static final int ALL_FILES = -1;

  public ScanTicket {
    requireNonNull(dataset, "dataset is null");
    requireNonNull(path, "path is null");
    columns = List.copyOf(requireNonNull(columns, "columns is null"));
  }

  /** A ticket for {@code split} of {@code dataset}. */
  public static ScanTicket of(Dataset dataset, FileSplit split, List<String> columns) {
    return forSplit(dataset, split, columns, null);
  }

  /** A ticket for {@code split} of the query {@code sql}. */
  public static ScanTicket ofQuery(Dataset dataset, FileSplit split, String sql) {
    return forSplit(dataset, split, List.of(), sql);
  }

  private static ScanTicket forSplit(
      Dataset dataset, FileSplit split, List<String> columns, String sql) {
    return new ScanTicket(
        dataset.name(),
        dataset.files().indexOf(split.file()),
        relativePath(dataset, split.file()),
        split.firstRowGroup(),
        split.endRowGroup(),
        columns,
        sql);
  }

  /**
   * {@code file}'s path below {@code dataset}'s location directory, or its name when the location
   * is not a directory above it (a glob, or a single file).
   */
  static String relativePath(Dataset dataset, DataFile file) {
    String location = file.location();
    String base = dataset.location();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    if (location.startsWith(base + "/")) {
      return location.substring(base.length() + 1);
    }
    return location.substring(location.lastIndexOf('/') + 1);
  }

  /**
   * A ticket for all of the query {@code sql}, read in one stream; {@code dataset} is the first it
   * reads, or null for a query that reads none (constants, {@code information_schema}), whose
   * ticket names the dataset {@value #NO_DATASET}.
   */
  public static ScanTicket ofWholeQuery(Dataset dataset, String sql) {
    return new ScanTicket(
        dataset == null ? NO_DATASET : dataset.name(), ALL_FILES, "*", 0, 0, List.of(), sql);
  }

  /** The dataset name of a whole-query ticket for a query that reads no dataset. */
  public static final String NO_DATASET = "";

  /** Whether it answers a query that reads no dataset. */
  public boolean readsNoDataset() {
    return dataset.equals(NO_DATASET) && allFiles();
  }

  /** Whether the ticket reads every file of its query. */
  public boolean allFiles() {
    return file == ALL_FILES && sql != null;
  }

  public Ticket toTicket() {
    return Tickets.encode(this);
  }

  /**
   * Reads a scan ticket.
   *
   * @throws QuiverException INVALID_ARGUMENT if the bytes are not a scan ticket of this version
   */
  public static ScanTicket from(Ticket ticket) {
    return Tickets.decode(ticket.getBytes(), ScanTicket.class);
  }

  /**
   * Resolves the ticket against the dataset it names.
   *
   * @throws QuiverException INVALID_ARGUMENT if the file or row groups do not belong to it
   */
  public FileSplit toSplit(Dataset resolved) {
    List<DataFile> files = resolved.files();
    if (file < 0 || file >= files.size() || !relativePath(resolved, files.get(file)).equals(path)) {
      throw new QuiverException(
          ErrorCode.INVALID_ARGUMENT,
          "Ticket names file "
              + path
              + " which is not file "
              + file
              + " of dataset '"
              + dataset
              + "'; the dataset may have been reloaded, get a new FlightInfo");
    }
    DataFile dataFile = files.get(file);
    if (firstRowGroup < 0
        || endRowGroup < firstRowGroup
        || endRowGroup > dataFile.rowGroups().size()) {
      throw new QuiverException(
          ErrorCode.INVALID_ARGUMENT,
          "Ticket names row groups ["
              + firstRowGroup
              + ", "
              + endRowGroup
              + ") of "
              + path
              + " which has "
              + dataFile.rowGroups().size());
    }
    for (String column : columns) {
      if (resolved.field(column).isEmpty()) {
        throw new QuiverException(
            ErrorCode.INVALID_ARGUMENT,
            "Ticket names unknown column '" + column + "' of dataset '" + dataset + "'");
      }
    }
    return new FileSplit(dataFile, firstRowGroup, endRowGroup);
  }
}
