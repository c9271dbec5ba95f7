package dev.quiver.server.exec;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Moving a batch's buffers between owners without copying. */
public final class Batches {
  private Batches() {}

  /**
   * The rows of {@code batch} in a new root of {@code allocator}, which the caller owns; {@code
   * batch}'s vectors are left empty (its owner may refill them).
   */
  public static VectorSchemaRoot moved(VectorSchemaRoot batch, BufferAllocator allocator) {
    VectorSchemaRoot moved = VectorSchemaRoot.create(batch.getSchema(), allocator);
    for (int c = 0; c < batch.getFieldVectors().size(); c++) {
      batch.getVector(c).makeTransferPair(moved.getVector(c)).transfer();
    }
    moved.setRowCount(batch.getRowCount());
    return moved;
  }
}
