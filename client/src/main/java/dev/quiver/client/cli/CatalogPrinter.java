package dev.quiver.client.cli;

import dev.quiver.client.DatasetInfo;
import java.io.PrintStream;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Prints what a node serves: its datasets ({@code quiver list}, the shell's {@code .tables}) and a
 * dataset's columns ({@code quiver schema}, {@code .schema}).
 */
final class CatalogPrinter {
  private static final String DATASET_ROW = "%-20s %14s %12s %8s %10s%n";

  private CatalogPrinter() {}

  /** One line per dataset, with its rows, size, columns and endpoints, under a header. */
  static void datasets(List<DatasetInfo> datasets, PrintStream out) {
    out.printf(DATASET_ROW, "dataset", "rows", "size", "columns", "endpoints");
    for (DatasetInfo info : datasets) {
      out.printf(
          DATASET_ROW,
          info.name(),
          String.format("%,d", info.rows()),
          Sizes.human(info.bytes()),
          info.schema().getFields().size(),
          info.endpoints());
    }
    out.flush();
  }

  /** One line per column, with its SQL type and whether it may be null, under a header. */
  static void columns(Schema schema, PrintStream out) {
    int width = schema.getFields().stream().mapToInt(f -> f.getName().length()).max().orElse(6);
    width = Math.max(width, 6);
    String row = "%-" + width + "s  %-28s %s%n";
    out.printf(row, "column", "type", "nullable");
    for (Field field : schema.getFields()) {
      out.printf(row, field.getName(), SqlTypeNames.of(field), field.isNullable() ? "yes" : "no");
    }
    out.flush();
  }
}
