package dev.quiver.client.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/** One JSON object per row (JSON Lines); numbers stay numbers, nulls are {@code null}. */
final class JsonLinesWriter implements BatchWriter {
  private final PrintStream out;
  private final JsonGenerator json;

  JsonLinesWriter(PrintStream out) {
    this.out = out;
    try {
      this.json = new JsonFactory().createGenerator(out);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot write JSON", e);
    }
    json.setRootValueSeparator(null);
  }

  @Override
  public void write(VectorSchemaRoot batch, int rows) throws IOException {
    List<FieldVector> vectors = batch.getFieldVectors();
    boolean[] numeric = new boolean[vectors.size()];
    for (int c = 0; c < numeric.length; c++) {
      numeric[c] = ValueFormatter.isNumeric(vectors.get(c));
    }
    for (int r = 0; r < rows; r++) {
      json.writeStartObject();
      for (int c = 0; c < vectors.size(); c++) {
        FieldVector vector = vectors.get(c);
        json.writeFieldName(vector.getField().getName());
        String value = ValueFormatter.format(vector, r);
        if (value == null) {
          json.writeNull();
        } else if (numeric[c] && !value.equals("NaN") && !value.contains("Infinity")) {
          json.writeNumber(value);
        } else {
          json.writeString(value);
        }
      }
      json.writeEndObject();
      json.flush();
      out.println();
    }
  }

  @Override
  public void close() throws IOException {
    json.flush();
    out.flush();
  }
}
