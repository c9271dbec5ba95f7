package dev.quiver.parquet.scan;

import dev.quiver.parquet.dataset.DataFile;
import dev.quiver.parquet.dataset.Dataset;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Test helper: scans every split of a dataset and keeps the rows as canonical text. */
record DatasetScan(List<String> rows, ScanStatistics statistics) {

  /**
   * Scans {@code dataset} with splits of about {@code splitBytes}; checks the allocator is clean.
   */
  static DatasetScan run(Dataset dataset, ScanRequest request, long splitBytes) {
    List<String> rows = new ArrayList<>();
    ScanStatistics statistics = ScanStatistics.EMPTY;
    try (BufferAllocator allocator = new RootAllocator()) {
      for (DataFile file : dataset.files()) {
        for (FileSplit split : FileSplit.of(file, splitBytes)) {
          try (ParquetBatchReader reader =
              ParquetBatchReader.open(split, dataset.schema(), request, allocator)) {
            while (reader.next()) {
              VectorSchemaRoot root = reader.root();
              for (int r = 0; r < root.getRowCount(); r++) {
                List<String> row = new ArrayList<>();
                for (FieldVector vector : root.getFieldVectors()) {
                  row.add(Canonical.arrow(vector, r));
                }
                rows.add(String.join("|", row));
              }
            }
            statistics = statistics.plus(reader.statistics());
          }
        }
      }
      if (allocator.getAllocatedMemory() != 0) {
        throw new AssertionError("Scan leaked " + allocator.getAllocatedMemory() + " bytes");
      }
    }
    return new DatasetScan(rows, statistics);
  }
}
