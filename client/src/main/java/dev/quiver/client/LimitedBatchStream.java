package dev.quiver.client;

import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Stops another stream after a number of rows: a scan with LIMIT on a cluster has an endpoint on
 * every node that holds data, each of which stops at the limit, and the client keeps the first
 * {@code limit} rows over all of them. Closing it closes the underlying stream, which cancels what
 * is still being fetched.
 */
final class LimitedBatchStream implements BatchStream {
  private final BatchStream delegate;
  private long remaining;

  LimitedBatchStream(BatchStream delegate, long limit) {
    this.delegate = delegate;
    this.remaining = limit;
  }

  @Override
  public Schema schema() {
    return delegate.schema();
  }

  @Override
  public boolean next() {
    if (remaining <= 0 || !delegate.next()) {
      return false;
    }
    VectorSchemaRoot root = delegate.root();
    if (root.getRowCount() > remaining) {
      root.setRowCount((int) remaining);
    }
    remaining -= root.getRowCount();
    return true;
  }

  @Override
  public VectorSchemaRoot root() {
    return delegate.root();
  }

  @Override
  public long bytesReceived() {
    return delegate.bytesReceived();
  }

  @Override
  public QueryStatistics statistics() {
    return delegate.statistics();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
