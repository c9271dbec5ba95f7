package dev.quiver.client.cli;

import java.io.PrintStream;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/** RFC 4180 CSV with a header row; nulls are empty fields. */
final class CsvWriter implements BatchWriter {
  private final PrintStream out;

  CsvWriter(Schema schema, PrintStream out) {
    this.out = out;
    List<String> names = schema.getFields().stream().map(Field::getName).toList();
    out.println(String.join(",", names.stream().map(CsvWriter::quote).toList()));
  }

  @Override
  public void write(VectorSchemaRoot batch, int rows) {
    List<FieldVector> vectors = batch.getFieldVectors();
    StringBuilder line = new StringBuilder();
    for (int r = 0; r < rows; r++) {
      line.setLength(0);
      for (int c = 0; c < vectors.size(); c++) {
        if (c > 0) {
          line.append(',');
        }
        String value = ValueFormatter.format(vectors.get(c), r);
        if (value != null) {
          line.append(quote(value));
        }
      }
      out.println(line);
    }
  }

  @Override
  public void close() {
    out.flush();
  }

  static String quote(String value) {
    boolean needsQuotes =
        value.indexOf(',') >= 0
            || value.indexOf('"') >= 0
            || value.indexOf('\n') >= 0
            || value.indexOf('\r') >= 0;
    return needsQuotes ? '"' + value.replace("\"", "\"\"") + '"' : value;
  }
}
