package dev.quiver.parquet.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.parquet.dataset.DataFile;
import dev.quiver.parquet.dataset.DatasetLoader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files written by DuckDB, an independent writer, read back value for value. */
class DuckDbTypesTest {
  /** Column name, DuckDB expression that writes it, DuckDB expression that reads it canonically. */
  private record Column(String name, String write, String read, String arrowType) {}

  private static final List<Column> COLUMNS =
      List.of(
          new Column("b", "i % 2 = 0", "b", "Bool"),
          new Column("i8", "(i % 256 - 128)::TINYINT", "i8", "Int(8, true)"),
          new Column("i16", "(i * 7 % 65536 - 32768)::SMALLINT", "i16", "Int(16, true)"),
          new Column(
              "i32", "(i * 100003 % 4294967296 - 2147483648)::INTEGER", "i32", "Int(32, true)"),
          new Column(
              "i64", "(i * 900719925474099 - 2000000000000000000)::BIGINT", "i64", "Int(64, true)"),
          new Column("u8", "(i % 256)::UTINYINT", "u8::BIGINT", "Int(8, false)"),
          new Column("u16", "(i * 13 % 65536)::USMALLINT", "u16::BIGINT", "Int(16, false)"),
          new Column("u32", "(i * 100003 % 4294967296)::UINTEGER", "u32::BIGINT", "Int(32, false)"),
          new Column(
              "u64", "(18446744073709551615 - i)::UBIGINT", "u64::VARCHAR", "Int(64, false)"),
          new Column("f32", "(i / 3.0)::FLOAT", "f32::DOUBLE", "FloatingPoint(SINGLE)"),
          new Column("f64", "i / 7.0", "f64", "FloatingPoint(DOUBLE)"),
          new Column("dec4", "(i % 1000 / 10)::DECIMAL(4,1)", "dec4", "Decimal(4, 1, 128)"),
          new Column("dec18", "(i * 1.001)::DECIMAL(18,3)", "dec18", "Decimal(18, 3, 128)"),
          new Column(
              "dec38",
              "(i * 123456789.0123456789)::DECIMAL(38,10)",
              "dec38",
              "Decimal(38, 10, 128)"),
          new Column("s", "'v' || (i % 50) || ' ünïcödé'", "s", "Utf8"),
          new Column("bin", "encode('x' || i)", "hex(bin)", "Binary"),
          new Column("d", "DATE '1969-12-25' + (i % 1000)::INTEGER", "d::VARCHAR", "Date(DAY)"),
          new Column(
              "t",
              "make_time(i % 24, i % 60, (i % 60000) / 1000.0)",
              "datediff('microsecond', TIME '00:00:00', t)",
              "Time(MICROSECOND, 64)"),
          new Column(
              "ts",
              "make_timestamp(1700000000000000 + i * 1000001)",
              "epoch_us(ts)",
              "Timestamp(MICROSECOND, null)"),
          new Column(
              "ts_ms",
              "make_timestamp(1700000000000000 + i * 1000000)::TIMESTAMP_MS",
              "epoch_ms(ts_ms)",
              "Timestamp(MILLISECOND, null)"),
          new Column(
              "ts_ns",
              "make_timestamp(1700000000000000 + i * 3)::TIMESTAMP_NS",
              "epoch_ns(ts_ns)",
              "Timestamp(NANOSECOND, null)"),
          new Column(
              "tstz",
              "make_timestamp(1700000000000000 + i)::TIMESTAMPTZ",
              "epoch_us(tstz)",
              "Timestamp(MICROSECOND, UTC)"),
          new Column(
              "u",
              "('00000000-0000-4000-8000-' || lpad(i::VARCHAR, 12, '0'))::UUID",
              "upper(replace(u::VARCHAR, '-', ''))",
              "FixedSizeBinary(16)"));

  @TempDir Path dir;

  @Test
  void readsEveryFlatTypeExactlyAsDuckDbDoes() throws Exception {
    Path file = dir.resolve("types.parquet");
    StringBuilder select = new StringBuilder("SELECT i AS id");
    StringBuilder read = new StringBuilder("SELECT id");
    for (Column column : COLUMNS) {
      select
          .append(", CASE WHEN i % 4 = 3 THEN NULL ELSE ")
          .append(column.write())
          .append(" END AS ")
          .append(column.name());
      read.append(", ").append(column.read());
    }
    select.append(" FROM range(0, 5000) t(i)");
    List<String> expected = new ArrayList<>();
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckdb.createStatement()) {
      statement.execute(
          "COPY (" + select + ") TO '" + file + "' (FORMAT PARQUET, ROW_GROUP_SIZE 1024)");
      try (ResultSet rs =
          statement.executeQuery(read + " FROM read_parquet('" + file + "') ORDER BY id")) {
        while (rs.next()) {
          List<String> row = new ArrayList<>();
          for (int c = 1; c <= COLUMNS.size() + 1; c++) {
            row.add(Canonical.jdbc(rs.getObject(c)));
          }
          expected.add(String.join("|", row));
        }
      }
    }

    DataFile data = DatasetLoader.readFile(file);
    List<String> names = data.schema().getFields().stream().map(Field::getName).toList();
    for (Column column : COLUMNS) {
      assertThat(data.schema().findField(column.name()).getType().toString())
          .as(column.name())
          .isEqualTo(column.arrowType());
    }
    List<String> actual = new ArrayList<>();
    try (BufferAllocator allocator = new RootAllocator();
        ParquetBatchReader reader =
            ParquetBatchReader.open(
                new FileSplit(data, 0, data.rowGroups().size()),
                data.schema(),
                ScanRequest.of(names),
                allocator)) {
      while (reader.next()) {
        VectorSchemaRoot root = reader.root();
        for (int r = 0; r < root.getRowCount(); r++) {
          List<String> row = new ArrayList<>();
          for (FieldVector vector : root.getFieldVectors()) {
            row.add(Canonical.arrow(vector, r));
          }
          actual.add(String.join("|", row));
        }
      }
      assertThat(reader.statistics().rowsDecoded()).isEqualTo(5000);
      assertThat(reader.statistics().rowGroups())
          .isEqualTo(data.rowGroups().size())
          .isGreaterThan(1);
    }
    assertThat(actual).hasSize(5000);
    for (int i = 0; i < actual.size(); i++) {
      assertThat(actual.get(i)).as("row %d", i).isEqualTo(expected.get(i));
    }
  }

  @Test
  void readsAZeroRowFileAsNoBatchesWithItsSchema() throws Exception {
    Path file = dir.resolve("empty.parquet");
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckdb.createStatement()) {
      statement.execute(
          "COPY (SELECT 1::INTEGER AS a, 'x' AS s WHERE false) TO '" + file + "' (FORMAT PARQUET)");
    }
    DataFile data = DatasetLoader.readFile(file);
    assertThat(data.rowCount()).isZero();
    try (BufferAllocator allocator = new RootAllocator();
        ParquetBatchReader reader =
            ParquetBatchReader.open(
                FileSplit.of(data, 1 << 20).get(0),
                data.schema(),
                ScanRequest.of(List.of("a", "s")),
                allocator)) {
      assertThat(reader.next()).isFalse();
      assertThat(reader.root().getSchema().getFields())
          .extracting(Field::getName)
          .containsExactly("a", "s");
    }
  }
}
