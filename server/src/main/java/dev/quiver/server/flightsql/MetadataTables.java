package dev.quiver.server.flightsql;

import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.server.catalog.Catalog;
import dev.quiver.server.sql.QueryPlanner;
import java.nio.charset.StandardCharsets;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flight.sql.FlightSqlProducer.Schemas;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetDbSchemas;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetTables;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The rows of Flight SQL's metadata commands, in the schemas the specification fixes. Datasets are
 * tables of type {@code TABLE} in the one schema {@value QueryPlanner#SCHEMA} and no catalog.
 */
final class MetadataTables {
  static final String TABLE_TYPE = "TABLE";

  private MetadataTables() {}

  /** {@code CommandGetDbSchemas}: the one schema, if the filters allow it. */
  static VectorSchemaRoot schemas(CommandGetDbSchemas command, BufferAllocator allocator) {
    VectorSchemaRoot root = VectorSchemaRoot.create(Schemas.GET_SCHEMAS_SCHEMA, allocator);
    boolean matches =
        (!command.hasCatalog() || command.getCatalog().isEmpty())
            && Patterns.matches(
                command.hasDbSchemaFilterPattern() ? command.getDbSchemaFilterPattern() : null,
                QueryPlanner.SCHEMA);
    if (matches) {
      set(root.getVector("db_schema_name"), 0, QueryPlanner.SCHEMA);
      nulls(root.getVector("catalog_name"), 0);
      root.setRowCount(1);
    }
    return finish(root);
  }

  /** {@code CommandGetTables}: datasets matching the filters, with their Arrow schemas if asked. */
  static VectorSchemaRoot tables(
      CommandGetTables command, Catalog catalog, BufferAllocator allocator) {
    boolean withSchema = command.getIncludeSchema();
    VectorSchemaRoot root =
        VectorSchemaRoot.create(
            withSchema ? Schemas.GET_TABLES_SCHEMA : Schemas.GET_TABLES_SCHEMA_NO_SCHEMA,
            allocator);
    boolean inScope =
        (!command.hasCatalog() || command.getCatalog().isEmpty())
            && Patterns.matches(
                command.hasDbSchemaFilterPattern() ? command.getDbSchemaFilterPattern() : null,
                QueryPlanner.SCHEMA)
            && (command.getTableTypesCount() == 0
                || command.getTableTypesList().stream().anyMatch(TABLE_TYPE::equalsIgnoreCase));
    int row = 0;
    if (inScope) {
      for (String name : catalog.names()) {
        if (!Patterns.matches(
            command.hasTableNameFilterPattern() ? command.getTableNameFilterPattern() : null,
            name)) {
          continue;
        }
        nulls(root.getVector("catalog_name"), row);
        set(root.getVector("db_schema_name"), row, QueryPlanner.SCHEMA);
        set(root.getVector("table_name"), row, name);
        set(root.getVector("table_type"), row, TABLE_TYPE);
        if (withSchema) {
          Dataset dataset = catalog.require(name);
          ((VarBinaryVector) root.getVector("table_schema"))
              .setSafe(row, new Schema(dataset.schema().getFields()).serializeAsMessage());
        }
        row++;
      }
    }
    root.setRowCount(row);
    return finish(root);
  }

  /** {@code CommandGetTableTypes}: {@value #TABLE_TYPE}. */
  static VectorSchemaRoot tableTypes(BufferAllocator allocator) {
    VectorSchemaRoot root = VectorSchemaRoot.create(Schemas.GET_TABLE_TYPES_SCHEMA, allocator);
    set(root.getVector("table_type"), 0, TABLE_TYPE);
    root.setRowCount(1);
    return finish(root);
  }

  /** An empty result of {@code schema}: catalogs, keys and references (Quiver has none). */
  static VectorSchemaRoot empty(Schema schema, BufferAllocator allocator) {
    VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
    root.allocateNew();
    root.setRowCount(0);
    return root;
  }

  /**
   * One type Quiver returns, for {@code CommandGetXdbcTypeInfo}.
   *
   * @param jdbcType its {@link Types} code
   * @param size its precision (digits or characters), or null
   * @param prefix what quotes a literal of it, or null
   */
  record TypeInfo(String name, int jdbcType, Integer size, String prefix, boolean caseSensitive) {}

  static final List<TypeInfo> TYPES =
      List.of(
          new TypeInfo("BOOLEAN", Types.BOOLEAN, 1, null, false),
          new TypeInfo("TINYINT", Types.TINYINT, 3, null, false),
          new TypeInfo("SMALLINT", Types.SMALLINT, 5, null, false),
          new TypeInfo("INTEGER", Types.INTEGER, 10, null, false),
          new TypeInfo("BIGINT", Types.BIGINT, 19, null, false),
          new TypeInfo("REAL", Types.REAL, 7, null, false),
          new TypeInfo("DOUBLE", Types.DOUBLE, 15, null, false),
          new TypeInfo("DECIMAL", Types.DECIMAL, 38, null, false),
          new TypeInfo("VARCHAR", Types.VARCHAR, null, "'", true),
          new TypeInfo("VARBINARY", Types.VARBINARY, null, null, false),
          new TypeInfo("DATE", Types.DATE, 10, "DATE '", false),
          new TypeInfo("TIME", Types.TIME, 15, "TIME '", false),
          new TypeInfo("TIMESTAMP", Types.TIMESTAMP, 26, "TIMESTAMP '", false));

  /** {@code CommandGetXdbcTypeInfo}: every type, or the one with {@code dataType}. */
  static VectorSchemaRoot typeInfo(Integer dataType, BufferAllocator allocator) {
    VectorSchemaRoot root = VectorSchemaRoot.create(Schemas.GET_TYPE_INFO_SCHEMA, allocator);
    root.allocateNew();
    int row = 0;
    for (TypeInfo type : TYPES) {
      if (dataType != null && dataType != type.jdbcType()) {
        continue;
      }
      set(root.getVector("type_name"), row, type.name());
      setInt(root.getVector("data_type"), row, type.jdbcType());
      setInt(root.getVector("column_size"), row, type.size());
      set(root.getVector("literal_prefix"), row, type.prefix());
      set(root.getVector("literal_suffix"), row, type.prefix() == null ? null : "'");
      setInt(root.getVector("nullable"), row, 1); // columnNullable
      setBit(root.getVector("case_sensitive"), row, type.caseSensitive());
      setInt(root.getVector("searchable"), row, 3); // typeSearchable
      setBit(root.getVector("unsigned_attribute"), row, false);
      setBit(root.getVector("fixed_prec_scale"), row, false);
      setBit(root.getVector("auto_increment"), row, false);
      set(root.getVector("local_type_name"), row, type.name());
      setInt(root.getVector("minimum_scale"), row, type.jdbcType() == Types.DECIMAL ? 0 : null);
      setInt(root.getVector("maximum_scale"), row, type.jdbcType() == Types.DECIMAL ? 38 : null);
      setInt(root.getVector("sql_data_type"), row, type.jdbcType());
      setInt(root.getVector("datetime_subcode"), row, null);
      setInt(root.getVector("num_prec_radix"), row, type.size() == null ? null : 10);
      setInt(root.getVector("interval_precision"), row, null);
      row++;
    }
    root.setRowCount(row);
    return finish(root);
  }

  private static void set(FieldVector vector, int row, String value) {
    if (value == null) {
      nulls(vector, row);
    } else {
      ((VarCharVector) vector).setSafe(row, value.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static void setInt(FieldVector vector, int row, Integer value) {
    if (value == null) {
      nulls(vector, row);
    } else {
      ((IntVector) vector).setSafe(row, value);
    }
  }

  private static void setBit(FieldVector vector, int row, boolean value) {
    ((BitVector) vector).setSafe(row, value ? 1 : 0);
  }

  private static void nulls(FieldVector vector, int row) {
    if (vector.getValueCapacity() <= row) {
      vector.reAlloc();
    }
    vector.setNull(row);
  }

  /** Sets every vector's value count to the root's row count. */
  private static VectorSchemaRoot finish(VectorSchemaRoot root) {
    List<FieldVector> vectors = new ArrayList<>(root.getFieldVectors());
    for (FieldVector vector : vectors) {
      vector.setValueCount(root.getRowCount());
    }
    return root;
  }
}
