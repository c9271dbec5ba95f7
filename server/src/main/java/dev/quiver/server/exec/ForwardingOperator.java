package dev.quiver.server.exec;

import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * An operator that hands on its input's batches as they are, for wrappers that only watch them
 * (count, time, act at the end): they override {@link #next()}, and free what they hold in {@link
 * #closeOwn()} or {@link #closeAfterInput()}.
 */
public abstract class ForwardingOperator extends InputOperator {
  protected ForwardingOperator(Operator input) {
    super(input);
  }

  @Override
  public boolean next() {
    return input.next();
  }

  @Override
  public VectorSchemaRoot root() {
    return input.root();
  }
}
