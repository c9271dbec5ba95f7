package dev.quiver.server.exec;

import dev.quiver.parquet.scan.ScanStatistics;
import java.util.function.Function;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A step of a query that produces Arrow batches on demand.
 *
 * <p>{@link #next()} makes the next batch current; {@link #root()} is that batch. The operator owns
 * the batch: the caller reads it until the next call to {@code next()} or {@code close()} and never
 * closes it (it may transfer its buffers out, leaving the vectors empty). Closing an operator
 * closes its inputs and frees everything it holds.
 */
public interface Operator extends AutoCloseable {
  /** The schema of every batch. */
  Schema schema();

  /**
   * Makes the next batch current.
   *
   * @return false when there are no more batches
   */
  boolean next();

  /** The current batch; valid after {@code next()} returned true. */
  VectorSchemaRoot root();

  /** The scan counters of this operator's inputs so far. */
  ScanStatistics statistics();

  @Override
  void close();

  /**
   * {@code next} built on {@code input}; {@code input} is closed if building fails, so a pipeline
   * under construction never leaks what it has built so far.
   */
  static <T extends Operator> T then(Operator input, Function<Operator, T> next) {
    try {
      return next.apply(input);
    } catch (RuntimeException e) {
      input.close();
      throw e;
    }
  }
}
