package dev.quiver.client.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An aligned text table. Rows are buffered in chunks of up to {@value #CHUNK_ROWS} so that columns
 * align within a chunk; cells longer than {@value #MAX_CELL} characters are cut with an ellipsis,
 * unless the table has one column (EXPLAIN's plan lines, say), which has nothing to align with.
 * Numbers are shown as {@link ValueFormatter#display} says: grouped, floats rounded.
 */
public final class TableWriter implements BatchWriter {
  static final int CHUNK_ROWS = 1000;
  static final int MAX_CELL = 40;
  private static final String NULL = "NULL";

  private final Schema schema;
  private final PrintStream out;
  private final List<String[]> rows = new ArrayList<>();
  private final boolean[] rightAligned;
  private long written;

  public TableWriter(Schema schema, PrintStream out) {
    this.schema = schema;
    this.out = out;
    this.rightAligned = new boolean[schema.getFields().size()];
  }

  @Override
  public void write(VectorSchemaRoot batch, int count) {
    List<FieldVector> vectors = batch.getFieldVectors();
    for (int c = 0; c < vectors.size(); c++) {
      rightAligned[c] = ValueFormatter.isNumeric(vectors.get(c));
    }
    for (int r = 0; r < count; r++) {
      String[] row = new String[vectors.size()];
      for (int c = 0; c < row.length; c++) {
        String value = ValueFormatter.display(vectors.get(c), r);
        row[c] = value == null ? NULL : row.length == 1 ? oneLine(value) : cut(value);
      }
      rows.add(row);
      if (rows.size() == CHUNK_ROWS) {
        flushChunk();
      }
    }
  }

  @Override
  public void close() {
    if (!rows.isEmpty() || written == 0) {
      flushChunk();
    }
    out.printf("(%d row%s)%n", written, written == 1 ? "" : "s");
    out.flush();
  }

  /** Drops the rows not printed yet and prints no row count: the table was not read whole. */
  @Override
  public void abort() {
    rows.clear();
    out.flush();
  }

  private void flushChunk() {
    List<Field> fields = schema.getFields();
    int[] widths = new int[fields.size()];
    for (int c = 0; c < widths.length; c++) {
      widths[c] = fields.get(c).getName().length();
      for (String[] row : rows) {
        widths[c] = Math.max(widths[c], row[c].length());
      }
    }
    StringBuilder line = new StringBuilder();
    for (int c = 0; c < widths.length; c++) {
      line.append(c == 0 ? "" : " | ").append(pad(fields.get(c).getName(), widths[c], false));
    }
    out.println(line.toString().stripTrailing());
    line.setLength(0);
    for (int c = 0; c < widths.length; c++) {
      line.append(c == 0 ? "" : "-+-").append("-".repeat(widths[c]));
    }
    out.println(line);
    for (String[] row : rows) {
      line.setLength(0);
      for (int c = 0; c < widths.length; c++) {
        line.append(c == 0 ? "" : " | ").append(pad(row[c], widths[c], rightAligned[c]));
      }
      out.println(line.toString().stripTrailing());
    }
    written += rows.size();
    rows.clear();
  }

  private static String cut(String value) {
    String oneLine = oneLine(value);
    return oneLine.length() <= MAX_CELL ? oneLine : oneLine.substring(0, MAX_CELL - 1) + "…";
  }

  private static String oneLine(String value) {
    return value.replace('\n', ' ').replace('\r', ' ');
  }

  private static String pad(String value, int width, boolean right) {
    String padding = " ".repeat(width - value.length());
    return right ? padding + value : value + padding;
  }
}
