package dev.quiver.server.query;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;

/**
 * A small batch (a sample, the boundaries of a sort) as Arrow IPC stream bytes in base64, to travel
 * inside the JSON messages between nodes.
 */
final class ArrowBytes {
  private ArrowBytes() {}

  static String encode(VectorSchemaRoot batch) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ArrowStreamWriter writer = new ArrowStreamWriter(batch, null, bytes)) {
      writer.start();
      writer.writeBatch();
      writer.end();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Base64.getEncoder().encodeToString(bytes.toByteArray());
  }

  /** The batch {@link #encode} wrote, in a root of {@code allocator} that the caller owns. */
  static VectorSchemaRoot decode(String encoded, BufferAllocator allocator) {
    byte[] bytes = Base64.getDecoder().decode(encoded);
    try (ArrowStreamReader reader =
        new ArrowStreamReader(new ByteArrayInputStream(bytes), allocator)) {
      VectorSchemaRoot read = reader.getVectorSchemaRoot();
      VectorSchemaRoot copy = VectorSchemaRoot.create(read.getSchema(), allocator);
      try {
        copy.allocateNew();
        int rows = 0;
        while (reader.loadNextBatch()) {
          for (int c = 0; c < read.getFieldVectors().size(); c++) {
            for (int r = 0; r < read.getRowCount(); r++) {
              copy.getVector(c).copyFromSafe(r, rows + r, read.getVector(c));
            }
          }
          rows += read.getRowCount();
        }
        copy.setRowCount(rows);
        return copy;
      } catch (IOException | RuntimeException e) {
        copy.close();
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
