package dev.quiver.parquet.scan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.parquet.dataset.DataFile;
import dev.quiver.parquet.dataset.DatasetLoader;
import dev.quiver.parquet.predicate.ComparisonOperator;
import dev.quiver.parquet.predicate.Comparisons;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * STRUCT, LIST and MAP columns written by DuckDB, nested in each other and null at every level,
 * read back as DuckDB reads them (compared as JSON), across row groups and batches.
 */
class NestedTypesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String COLUMNS = "id, s, l, ls, m, ll";

  @TempDir Path dir;

  @Test
  void nestedColumnsReadBackAsDuckDbReadsThem() throws Exception {
    Path file = dir.resolve("nested.parquet");
    List<String> expected = new ArrayList<>();
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckdb.createStatement()) {
      statement.execute(
          """
          COPY (
            SELECT i AS id,
              CASE WHEN i %% 5 = 0 THEN NULL
                   ELSE {'a': i, 'b': CASE WHEN i %% 3 = 0 THEN NULL ELSE 'x' || i END} END AS s,
              CASE WHEN i %% 7 = 0 THEN NULL WHEN i %% 7 = 1 THEN [] ELSE [i, NULL, i + 1] END AS l,
              CASE WHEN i %% 4 = 0 THEN NULL ELSE [{'p': i, 'q': [i, i]}, NULL] END AS ls,
              CASE WHEN i %% 6 = 0 THEN NULL ELSE MAP {'k' || i: i, 'z': NULL} END AS m,
              [[i], [], NULL, [NULL, i]] AS ll
            FROM range(0, 3000) t(i)
          ) TO '%s' (FORMAT PARQUET, ROW_GROUP_SIZE 1024)
          """
              .formatted(file));
      try (ResultSet rs =
          statement.executeQuery(
              "SELECT to_json({'id': id, 's': s, 'l': l, 'ls': ls, 'm': m, 'll': ll})"
                  + " FROM read_parquet('"
                  + file
                  + "') ORDER BY id")) {
        while (rs.next()) {
          expected.add(canonical(JSON.readTree(rs.getString(1))));
        }
      }
    }
    DataFile data = DatasetLoader.readFile(file);
    assertThat(data.schema().findField("s").getType()).isEqualTo(ArrowType.Struct.INSTANCE);
    assertThat(data.schema().findField("l").getType()).isEqualTo(ArrowType.List.INSTANCE);
    assertThat(data.schema().findField("m").getType()).isInstanceOf(ArrowType.Map.class);

    List<String> actual = new ArrayList<>();
    List<String> columns = List.of(COLUMNS.split(", "));
    try (BufferAllocator allocator = new RootAllocator();
        ParquetBatchReader reader =
            ParquetBatchReader.open(
                new FileSplit(data, 0, data.rowGroups().size()),
                data.schema(),
                new ScanRequest(columns, dev.quiver.parquet.predicate.Constant.TRUE, 100, 1 << 20),
                allocator)) {
      while (reader.next()) {
        VectorSchemaRoot root = reader.root();
        for (int r = 0; r < root.getRowCount(); r++) {
          ObjectNode row = JsonNodeFactory.instance.objectNode();
          for (FieldVector vector : root.getFieldVectors()) {
            row.set(vector.getName(), json(vector, r));
          }
          actual.add(canonical(row));
        }
      }
      assertThat(data.rowGroups()).hasSizeGreaterThan(1);
    }
    assertThat(actual).hasSize(3000);
    for (int i = 0; i < actual.size(); i++) {
      assertThat(actual.get(i)).as("row %d", i).isEqualTo(expected.get(i));
    }
  }

  @Test
  void aFilterOnAFlatColumnSelectsWholeNestedValues() throws Exception {
    Path file = dir.resolve("filtered.parquet");
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckdb.createStatement()) {
      statement.execute(
          "COPY (SELECT i AS id, [i, i * 2] AS pair FROM range(0, 5000) t(i)) TO '"
              + file
              + "' (FORMAT PARQUET, ROW_GROUP_SIZE 2048)");
    }
    DataFile data = DatasetLoader.readFile(file);
    try (BufferAllocator allocator = new RootAllocator();
        ParquetBatchReader reader =
            ParquetBatchReader.open(
                new FileSplit(data, 0, data.rowGroups().size()),
                data.schema(),
                ScanRequest.of(
                    List.of("pair"),
                    Comparisons.compare(
                        data.schema().findField("id"),
                        ComparisonOperator.EQ,
                        new BigDecimal(4321))),
                allocator)) {
      assertThat(reader.next()).isTrue();
      assertThat(reader.root().getRowCount()).isEqualTo(1);
      assertThat(reader.root().getVector("pair").getObject(0).toString()).isEqualTo("[4321,8642]");
      assertThat(reader.next()).isFalse();
      assertThat(reader.statistics().rowGroupsSkippedByStatistics()).isEqualTo(2);
    }
  }

  /** A value as JSON, the way DuckDB's to_json writes it: maps as objects keyed by text. */
  private static JsonNode json(ValueVector vector, int index) {
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    if (vector.isNull(index)) {
      return nodes.nullNode();
    }
    if (vector instanceof MapVector map) {
      StructVector entries = (StructVector) map.getDataVector();
      ObjectNode object = nodes.objectNode();
      int start = map.getElementStartIndex(index);
      int end = map.getElementEndIndex(index);
      for (int k = start; k < end; k++) {
        object.set(json(entries.getChild("key"), k).asText(), json(entries.getChild("value"), k));
      }
      return object;
    }
    if (vector instanceof ListVector list) {
      ArrayNode array = nodes.arrayNode();
      for (int k = list.getElementStartIndex(index); k < list.getElementEndIndex(index); k++) {
        array.add(json(list.getDataVector(), k));
      }
      return array;
    }
    if (vector instanceof StructVector struct) {
      ObjectNode object = nodes.objectNode();
      for (String name : struct.getChildFieldNames()) {
        object.set(name, json(struct.getChild(name), index));
      }
      return object;
    }
    if (vector instanceof BigIntVector longs) {
      return nodes.numberNode(longs.get(index));
    }
    return JSON.valueToTree(vector.getObject(index).toString());
  }

  /** JSON text with object keys sorted and numbers in plain decimal. */
  private static String canonical(JsonNode node) {
    if (node.isObject()) {
      List<String> parts = new ArrayList<>();
      List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        fields.add(it.next());
      }
      fields.sort(Map.Entry.comparingByKey());
      for (Map.Entry<String, JsonNode> field : fields) {
        parts.add(field.getKey() + ":" + canonical(field.getValue()));
      }
      return "{" + String.join(",", parts) + "}";
    }
    if (node.isArray()) {
      List<String> parts = new ArrayList<>();
      node.forEach(element -> parts.add(canonical(element)));
      return "[" + String.join(",", parts) + "]";
    }
    if (node.isNumber()) {
      return node.decimalValue().stripTrailingZeros().toPlainString();
    }
    return node.toString();
  }
}
