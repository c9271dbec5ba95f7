package dev.quiver.server.plan;

import com.google.common.collect.ImmutableList;
import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.parquet.predicate.Comparisons;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.calcite.jdbc.CalciteSchema;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.logical.LogicalValues;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.schema.TranslatableTable;
import org.apache.calcite.schema.impl.AbstractSchema;
import org.apache.calcite.schema.impl.AbstractTable;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * The SQL standard's {@code information_schema}, which SQL tools query for metadata: {@code
 * schemata}, {@code tables} (one row per dataset, of type {@code BASE TABLE}) and {@code columns}
 * (one row per column, typed with the SQL names Quiver's messages use). It lists the datasets the
 * caller may read, as they are when the query is planned: each view becomes constant rows in the
 * plan, so everything SQL does over tables (filters, joins, ORDER BY) works over them.
 */
final class InformationSchema {
  /** The schema's name; also matched ignoring case. */
  static final String NAME = "information_schema";

  private InformationSchema() {}

  /**
   * Adds the schema to {@code root}, listing {@code datasets} under {@code schemaName}.
   *
   * @param datasets the datasets the caller may read, in the order to list them
   */
  static void addTo(CalciteSchema root, String schemaName, List<Dataset> datasets) {
    CalciteSchema schema = root.add(NAME, new AbstractSchema());
    List<List<Object>> schemata = new ArrayList<>();
    schemata.add(Arrays.asList(null, schemaName));
    schemata.add(Arrays.asList(null, NAME));
    schema.add(
        "schemata",
        new View(
            List.of(Column.text("catalog_name", true), Column.text("schema_name", false)),
            schemata));

    List<List<Object>> tables = new ArrayList<>();
    List<List<Object>> columns = new ArrayList<>();
    for (Dataset dataset : datasets) {
      tables.add(Arrays.asList(null, schemaName, dataset.name(), "BASE TABLE"));
      List<Field> fields = dataset.schema().getFields();
      for (int i = 0; i < fields.size(); i++) {
        Field field = fields.get(i);
        boolean decimal = field.getType() instanceof ArrowType.Decimal;
        ArrowType.Decimal precise = decimal ? (ArrowType.Decimal) field.getType() : null;
        columns.add(
            Arrays.asList(
                null,
                schemaName,
                dataset.name(),
                field.getName(),
                i + 1,
                field.isNullable() ? "YES" : "NO",
                Comparisons.typeName(field),
                decimal ? precise.getPrecision() : null,
                decimal ? precise.getScale() : null));
      }
    }
    schema.add(
        "tables",
        new View(
            List.of(
                Column.text("table_catalog", true),
                Column.text("table_schema", false),
                Column.text("table_name", false),
                Column.text("table_type", false)),
            tables));
    schema.add(
        "columns",
        new View(
            List.of(
                Column.text("table_catalog", true),
                Column.text("table_schema", false),
                Column.text("table_name", false),
                Column.text("column_name", false),
                Column.integer("ordinal_position", false),
                Column.text("is_nullable", false),
                Column.text("data_type", false),
                Column.integer("numeric_precision", true),
                Column.integer("numeric_scale", true)),
            columns));
  }

  /** Whether {@code names} (a table's qualified name as written) is in this schema. */
  static boolean contains(List<String> names) {
    return names.size() >= 2 && names.get(names.size() - 2).equalsIgnoreCase(NAME);
  }

  /** One column of a view: VARCHAR or INTEGER. */
  private record Column(String name, SqlTypeName type, boolean nullable) {
    static Column text(String name, boolean nullable) {
      return new Column(name, SqlTypeName.VARCHAR, nullable);
    }

    static Column integer(String name, boolean nullable) {
      return new Column(name, SqlTypeName.INTEGER, nullable);
    }
  }

  /** A view whose rows are known when the query is planned: it plans as constant rows. */
  private static final class View extends AbstractTable implements TranslatableTable {
    private final List<Column> columns;
    private final List<List<Object>> rows;

    View(List<Column> columns, List<List<Object>> rows) {
      this.columns = columns;
      this.rows = rows;
    }

    @Override
    public RelDataType getRowType(RelDataTypeFactory types) {
      RelDataTypeFactory.Builder row = types.builder();
      for (Column column : columns) {
        row.add(
            column.name(),
            types.createTypeWithNullability(types.createSqlType(column.type()), column.nullable()));
      }
      return row.build();
    }

    @Override
    public RelNode toRel(RelOptTable.ToRelContext context, RelOptTable table) {
      RexBuilder rex = context.getCluster().getRexBuilder();
      RelDataType rowType = table.getRowType();
      ImmutableList.Builder<ImmutableList<RexLiteral>> tuples = ImmutableList.builder();
      for (List<Object> row : rows) {
        ImmutableList.Builder<RexLiteral> tuple = ImmutableList.builder();
        for (int i = 0; i < row.size(); i++) {
          tuple.add(literal(rex, rowType.getFieldList().get(i).getType(), row.get(i)));
        }
        tuples.add(tuple.build());
      }
      return LogicalValues.create(context.getCluster(), rowType, tuples.build());
    }

    private static RexLiteral literal(RexBuilder rex, RelDataType type, Object value) {
      if (value == null) {
        return rex.makeNullLiteral(type);
      }
      if (value instanceof Integer number) {
        return rex.makeExactLiteral(BigDecimal.valueOf(number), type);
      }
      return rex.makeLiteral((String) value);
    }
  }
}
