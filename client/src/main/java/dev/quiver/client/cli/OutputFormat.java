package dev.quiver.client.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Schema;

/** The formats {@code quiver get} writes. */
public enum OutputFormat {
  TABLE,
  CSV,
  JSON,
  ARROW;

  BatchWriter open(Schema schema, OutputStream out, BufferAllocator allocator) {
    PrintStream text = new PrintStream(out, false, StandardCharsets.UTF_8);
    return switch (this) {
      case TABLE -> new TableWriter(schema, text);
      case CSV -> new CsvWriter(schema, text);
      case JSON -> new JsonLinesWriter(text);
      case ARROW -> new ArrowIpcWriter(schema, out, allocator);
    };
  }
}
