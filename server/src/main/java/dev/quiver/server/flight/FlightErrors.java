package dev.quiver.server.flight;

import dev.quiver.parquet.dataset.InvalidDatasetException;
import dev.quiver.parquet.schema.UnsupportedParquetFeatureException;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.HeapExhaustion;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.error.ServerPaths;
import dev.quiver.shuffle.aggregate.AggregateOverflowException;
import dev.quiver.shuffle.exchange.ReceiverTimeoutException;
import dev.quiver.shuffle.spill.SpillException;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.memory.OutOfMemoryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become Flight statuses. Causes stay in the server log, and so do the
 * directories of the node's files: a message names a file by its last name ({@link ServerPaths}).
 */
public final class FlightErrors {
  private static final Logger LOG = LoggerFactory.getLogger(FlightErrors.class);

  private FlightErrors() {}

  /**
   * Converts any failure of {@code operation} to what the client sees.
   *
   * @param operation what was being done, e.g. "DoGet of dataset 'trips'", for the log and message
   */
  public static FlightRuntimeException toFlight(Throwable failure, String operation) {
    FlightRuntimeException status = statusOf(failure, operation);
    String description = status.status().description();
    String redacted = ServerPaths.redact(description);
    if (redacted == null || redacted.equals(description)) {
      return status;
    }
    LOG.info("{}: {}", operation, description);
    return status.status().withDescription(redacted).toRuntimeException();
  }

  private static FlightRuntimeException statusOf(Throwable failure, String operation) {
    if (failure instanceof FlightRuntimeException flight) {
      return flight;
    }
    if (failure instanceof QuiverException quiver) {
      return status(quiver.code()).withDescription(quiver.getMessage()).toRuntimeException();
    }
    if (failure instanceof ReceiverTimeoutException) {
      return CallStatus.UNAVAILABLE.withDescription(failure.getMessage()).toRuntimeException();
    }
    if (failure instanceof UnsupportedParquetFeatureException) {
      return CallStatus.UNIMPLEMENTED.withDescription(failure.getMessage()).toRuntimeException();
    }
    if (failure instanceof OutOfMemoryException) {
      LOG.warn("{} ran out of memory: {}", operation, failure.getMessage());
      return CallStatus.RESOURCE_EXHAUSTED
          .withDescription(operation + " exceeded its memory limit: " + failure.getMessage())
          .toRuntimeException();
    }
    OutOfMemoryError heap = HeapExhaustion.causeOf(failure);
    if (heap != null) {
      // The last line: what the heap budgets did not foresee ends the query, not the node.
      LOG.warn("{} ran out of the JVM's heap", operation, failure);
      return CallStatus.RESOURCE_EXHAUSTED
          .withDescription(
              operation
                  + " ran out of the JVM's heap ("
                  + HeapExhaustion.heapLimit()
                  + "): "
                  + heap.getMessage()
                  + "; retry later, or give the node more heap")
          .toRuntimeException();
    }
    if (failure instanceof AggregateOverflowException) {
      return CallStatus.INVALID_ARGUMENT.withDescription(failure.getMessage()).toRuntimeException();
    }
    if (failure instanceof SpillException) {
      return CallStatus.RESOURCE_EXHAUSTED
          .withDescription(operation + ": " + failure.getMessage())
          .toRuntimeException();
    }
    if (failure instanceof InvalidDatasetException) {
      LOG.error("{} failed on a data file", operation, failure);
      return CallStatus.INTERNAL.withDescription(failure.getMessage()).toRuntimeException();
    }
    LOG.error("{} failed", operation, failure);
    return CallStatus.INTERNAL
        .withDescription(operation + " failed on the server; see the server log")
        .toRuntimeException();
  }

  static CallStatus status(ErrorCode code) {
    return switch (code) {
      case INVALID_ARGUMENT -> CallStatus.INVALID_ARGUMENT;
      case NOT_FOUND -> CallStatus.NOT_FOUND;
      case UNAVAILABLE -> CallStatus.UNAVAILABLE;
      case RESOURCE_EXHAUSTED -> CallStatus.RESOURCE_EXHAUSTED;
      case CANCELLED -> CallStatus.CANCELLED;
      case PERMISSION_DENIED -> CallStatus.UNAUTHORIZED;
      case UNIMPLEMENTED -> CallStatus.UNIMPLEMENTED;
      case INTERNAL -> CallStatus.INTERNAL;
    };
  }
}
