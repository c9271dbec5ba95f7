package dev.quiver.server.plan;

import dev.quiver.parquet.dataset.DataFile;
import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.server.catalog.Catalog;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.calcite.jdbc.CalciteSchema;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.schema.Statistic;
import org.apache.calcite.schema.impl.AbstractSchema;
import org.apache.calcite.schema.impl.AbstractTable;

/**
 * The catalog as Calcite sees it: every dataset is a table, at the root and in the schema {@value
 * dev.quiver.server.sql.QueryPlanner#SCHEMA} (so {@code trips} and {@code main.trips} both work).
 */
final class CatalogSchema {
  private CatalogSchema() {}

  /**
   * @param visible the datasets the caller may read, which {@code information_schema} lists
   *     (planning sees every dataset, and refuses one the caller may not read by name)
   */
  static CalciteSchema of(Catalog catalog, String schemaName, List<String> visible) {
    CalciteSchema root = CalciteSchema.createRootSchema(false, false);
    CalciteSchema named = root.add(schemaName, new AbstractSchema());
    List<Dataset> listed = new ArrayList<>();
    for (String name : catalog.names()) {
      Dataset dataset = catalog.require(name);
      DatasetTable table = new DatasetTable(dataset);
      root.add(name, table);
      named.add(name, table);
      if (visible.contains(name)) {
        listed.add(dataset);
      }
    }
    InformationSchema.addTo(root, schemaName, listed);
    return root;
  }

  /** A dataset as a table whose row type is the dataset's schema. */
  static final class DatasetTable extends AbstractTable {
    /** Compressed bytes per row assumed of a file whose footer is not loaded yet. */
    private static final double GUESSED_ROW_BYTES = 16;

    private final Dataset dataset;

    DatasetTable(Dataset dataset) {
      this.dataset = dataset;
    }

    Dataset dataset() {
      return dataset;
    }

    /**
     * Its row count, what join ordering and join sides go by: from the Parquet footers where they
     * are loaded, else guessed from the file's size (planning never opens a file).
     */
    @Override
    public Statistic getStatistic() {
      return new Statistic() {
        @Override
        public Double getRowCount() {
          double rows = 0;
          for (DataFile file : dataset.files()) {
            rows += file.footerLoaded() ? file.rowCount() : file.sizeBytes() / GUESSED_ROW_BYTES;
          }
          return rows;
        }
      };
    }

    @Override
    public RelDataType getRowType(RelDataTypeFactory types) {
      RelDataTypeFactory.Builder row = types.builder();
      for (Field field : dataset.schema().getFields()) {
        row.add(field.getName(), ArrowTypes.toSql(field, types));
      }
      return row.build();
    }
  }
}
