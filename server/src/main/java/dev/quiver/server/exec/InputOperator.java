package dev.quiver.server.exec;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.scan.ScanStatistics;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An operator that pulls its batches from one input: the input's schema and scan counters are its
 * own unless it says otherwise, and closing it closes what it holds, then the input.
 */
abstract class InputOperator implements Operator {
  protected final Operator input;

  InputOperator(Operator input) {
    this.input = requireNonNull(input, "input is null");
  }

  @Override
  public Schema schema() {
    return input.schema();
  }

  @Override
  public ScanStatistics statistics() {
    return input.statistics();
  }

  /** Frees what this operator holds itself; its input is closed after. */
  protected void closeOwn() {}

  /** Frees what the input reads from (its source's store, say), once the input is closed. */
  protected void closeAfterInput() {}

  @Override
  public final void close() {
    try {
      closeOwn();
    } finally {
      try {
        input.close();
      } finally {
        closeAfterInput();
      }
    }
  }
}
