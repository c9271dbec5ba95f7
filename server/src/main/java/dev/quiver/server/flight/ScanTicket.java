package dev.quiver.server.flight;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.parquet.dataset.DataFile;
import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.parquet.scan.FileSplit;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import java.io.IOException;
import java.util.List;
import org.apache.arrow.flight.Ticket;

/**
 * What a {@code DoGet} reads: a range of row groups of one file of a dataset, and either the
 * columns or the SQL query to answer from them. A query ticket with {@code file} {@value
 * #ALL_FILES} reads every file its filter can match, in order: the single endpoint of a query with
 * a LIMIT. Clients treat the bytes as opaque; inside they are versioned JSON so that nodes of
 * different versions reject each other's tickets clearly instead of misreading them.
 *
 * @param version the ticket format; this node writes and reads {@link #VERSION}
 * @param dataset the dataset's name
 * @param file index of the file in the dataset's sorted file list
 * @param path the file's path, checked against the catalog so a ticket can never name other files
 * @param firstRowGroup first row group, inclusive
 * @param endRowGroup last row group, exclusive
 * @param columns the columns to read, in order; empty for a query ticket
 * @param sql the query to answer, or null for a plain read of {@code columns}
 */
public record ScanTicket(
    int version,
    String dataset,
    int file,
    String path,
    int firstRowGroup,
    int endRowGroup,
    List<String> columns,
    String sql) {
  public static final int VERSION = 2;
  public static final int ALL_FILES = -1;
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

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
        VERSION,
        dataset.name(),
        dataset.files().indexOf(split.file()),
        split.file().path().toString(),
        split.firstRowGroup(),
        split.endRowGroup(),
        columns,
        sql);
  }

  /** A ticket for all of the query {@code sql}, read in one stream. */
  public static ScanTicket ofWholeQuery(Dataset dataset, String sql) {
    return new ScanTicket(VERSION, dataset.name(), ALL_FILES, "*", 0, 0, List.of(), sql);
  }

  /** Whether the ticket reads every file of its query. */
  public boolean allFiles() {
    return file == ALL_FILES && sql != null;
  }

  public Ticket toTicket() {
    try {
      return new Ticket(JSON.writeValueAsBytes(this));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot encode ticket " + this, e);
    }
  }

  /**
   * Reads a ticket.
   *
   * @throws QuiverException INVALID_ARGUMENT if the bytes are not a ticket of this version
   */
  public static ScanTicket from(Ticket ticket) {
    ScanTicket decoded;
    try {
      decoded = JSON.readValue(ticket.getBytes(), ScanTicket.class);
    } catch (IOException | RuntimeException e) {
      throw new QuiverException(
          ErrorCode.INVALID_ARGUMENT,
          "Malformed ticket (" + ticket.getBytes().length + " bytes): not a Quiver scan ticket");
    }
    if (decoded.version() != VERSION) {
      throw new QuiverException(
          ErrorCode.INVALID_ARGUMENT,
          "Unsupported ticket version "
              + decoded.version()
              + "; this node reads version "
              + VERSION);
    }
    return decoded;
  }

  /**
   * Resolves the ticket against the dataset it names.
   *
   * @throws QuiverException INVALID_ARGUMENT if the file or row groups do not belong to it
   */
  public FileSplit toSplit(Dataset resolved) {
    List<DataFile> files = resolved.files();
    if (file < 0 || file >= files.size() || !files.get(file).path().toString().equals(path)) {
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
