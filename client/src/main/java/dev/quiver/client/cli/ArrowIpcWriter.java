package dev.quiver.client.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

/** The Arrow IPC stream format, readable by {@code pyarrow.ipc.open_stream} and friends. */
final class ArrowIpcWriter implements BatchWriter {
  private final VectorSchemaRoot staging;
  private final ArrowStreamWriter writer;

  /**
   * @param allocator where the staging batch lives; the caller closes it after this writer
   */
  ArrowIpcWriter(Schema schema, OutputStream out, BufferAllocator allocator) {
    this.staging = VectorSchemaRoot.create(schema, allocator);
    this.writer = new ArrowStreamWriter(staging, null, Channels.newChannel(out));
    try {
      writer.start();
    } catch (IOException e) {
      throw new IllegalStateException("Cannot write Arrow IPC", e);
    }
  }

  @Override
  public void write(VectorSchemaRoot batch, int rows) throws IOException {
    try (VectorSchemaRoot slice = batch.slice(0, rows);
        ArrowRecordBatch records = new VectorUnloader(slice).getRecordBatch()) {
      new VectorLoader(staging).load(records);
      writer.writeBatch();
    }
  }

  @Override
  public void close() throws IOException {
    try {
      writer.end();
      writer.close();
    } finally {
      staging.close();
    }
  }

  /** Leaves the stream without its end-of-stream marker, so that a reader sees it was cut short. */
  @Override
  public void abort() {
    staging.close();
  }
}
