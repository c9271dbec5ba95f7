package dev.quiver.parquet.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.parquet.dataset.DatasetLoader;
import dev.quiver.parquet.predicate.And;
import dev.quiver.parquet.predicate.ComparisonOperator;
import dev.quiver.parquet.predicate.Comparisons;
import dev.quiver.parquet.predicate.Not;
import dev.quiver.parquet.predicate.Or;
import dev.quiver.parquet.predicate.Predicate;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random predicates over a DuckDB-written corpus return exactly the rows DuckDB returns for the
 * same SQL over the same files: many files, row groups of 2,048 rows and of a whole file, sorted
 * and shuffled columns, columns with 0%, 10% and 100% nulls, an empty file and a file lacking a
 * column.
 */
class PredicateDifferentialTest {
  private static final int PREDICATES = 300;
  private static final LocalDate FIRST_DAY = LocalDate.of(2024, 1, 1);
  private static final LocalDateTime FIRST_TIME = LocalDateTime.of(2024, 1, 1, 0, 0);

  @TempDir static Path dir;
  static Connection duckdb;
  static Dataset dataset;

  @BeforeAll
  static void writeCorpus() throws SQLException {
    duckdb = DriverManager.getConnection("jdbc:duckdb:");
    write("a.parquet", 0, 20_000, "ROW_GROUP_SIZE 2048", "i", true);
    write("b.parquet", 20_000, 30_000, "ROW_GROUP_SIZE 100000", "i", true);
    write("c.parquet", 50_000, 0, "ROW_GROUP_SIZE 2048", "i", true);
    write("d.parquet", 50_000, 5_000, "ROW_GROUP_SIZE 2048", "hash(i)", true);
    write("e.parquet", 55_000, 10_000, "ROW_GROUP_SIZE 4096, COMPRESSION zstd", "i", true);
    write("f.parquet", 65_000, 3_000, "ROW_GROUP_SIZE 2048", "i", false);
    dataset = DatasetLoader.load("corpus", dir.resolve("corpus").toString());
  }

  private static void write(
      String name, long first, long rows, String options, String order, boolean withR)
      throws SQLException {
    String select =
        """
        SELECT i AS id,
          (i // 97)::INTEGER AS k,
          %s
          CASE WHEN hash(i + 1) %% 10 = 0 THEN NULL ELSE (hash(i * 3) %% 100000) / 100.0 END::DOUBLE AS d,
          CASE WHEN hash(i + 2) %% 10 = 0 THEN NULL ELSE 'name_' || (hash(i * 5) %% 50) END AS s,
          DATE '2024-01-01' + (i // 50)::INTEGER AS dt,
          TIMESTAMP '2024-01-01 00:00:00' + to_seconds(i * 37) AS ts,
          CASE WHEN hash(i + 3) %% 10 = 0 THEN NULL
               ELSE ((hash(i * 11) %% 2000000)::BIGINT - 1000000) / 100 END::DECIMAL(12,2) AS dec,
          CASE WHEN hash(i + 4) %% 10 = 0 THEN NULL ELSE hash(i) %% 3 = 0 END AS b,
          NULL::INTEGER AS nothing,
          (hash(i * 13) %% 5000)::UINTEGER AS u,
          ((hash(i * 17) %% 1000) / 2.0)::FLOAT AS f,
          i / 10.0 AS sd
        FROM range(%d, %d) t(i) ORDER BY %s
        """
            .formatted(
                withR
                    ? "CASE WHEN hash(i) % 10 = 0 THEN NULL ELSE (hash(i * 7) % 1000)::INTEGER END AS r,"
                    : "",
                first,
                first + rows,
                order);
    Path corpus = dir.resolve("corpus");
    corpus.toFile().mkdirs();
    try (Statement statement = duckdb.createStatement()) {
      statement.execute(
          "COPY ("
              + select
              + ") TO '"
              + corpus.resolve(name)
              + "' (FORMAT PARQUET, "
              + options
              + ")");
    }
  }

  @AfterAll
  static void close() throws SQLException {
    duckdb.close();
  }

  @Test
  void everyGeneratedPredicateReturnsDuckDbsRows() throws SQLException {
    Random random = new Random(20261121);
    ScanStatistics total = ScanStatistics.EMPTY;
    for (int n = 0; n < PREDICATES; n++) {
      Generated generated = predicate(random, 2);
      List<String> columns = random.nextBoolean() ? List.of("id") : List.of("id", "s");
      DatasetScan scan =
          DatasetScan.run(dataset, ScanRequest.of(columns, generated.predicate()), 64 << 10);
      List<String> expected = duckDb(String.join(", ", columns), generated.sql());
      assertThat(sorted(scan.rows()))
          .as("WHERE %s (as %s)", generated.sql(), generated.predicate())
          .isEqualTo(sorted(expected));
      assertThat(scan.statistics().rowsReturned()).isEqualTo(expected.size());
      total = total.plus(scan.statistics());
    }
    assertThat(total.rowGroupsSkippedByStatistics())
        .as("row groups skipped by statistics over the suite")
        .isPositive();
    assertThat(total.rowsReturned()).isPositive();
  }

  @Test
  void aRangeOnASortedColumnSkipsRowGroupsByStatistics() throws SQLException {
    Predicate predicate = Comparisons.compare(field("id"), ComparisonOperator.LT, 3_000);
    DatasetScan scan = DatasetScan.run(dataset, ScanRequest.of(List.of("id"), predicate), 1 << 30);
    assertThat(scan.rows())
        .hasSize(3_000)
        .containsExactlyInAnyOrderElementsOf(duckDb("id", "id < 3000"));
    // Only a.parquet's first row groups hold ids below 3,000; every other file is sorted above it
    // or, like the shuffled d.parquet, has row groups whose range starts at 50,000.
    ScanStatistics statistics = scan.statistics();
    assertThat(statistics.rowGroupsSkippedByStatistics())
        .isEqualTo(statistics.rowGroups() - statistics.rowGroupsRead());
    assertThat(statistics.rowGroupsRead()).isBetween(1L, 2L);
    assertThat(statistics.rowsDecoded()).isLessThan(2 * 2048 + 1);
  }

  @Test
  void aRangeOnASortedDoubleSkipsRowGroupsThoughDuckDbWritesNoNanCount() throws SQLException {
    Predicate predicate = Comparisons.compare(field("sd"), ComparisonOperator.LT, 300.0);
    DatasetScan scan = DatasetScan.run(dataset, ScanRequest.of(List.of("id"), predicate), 1 << 30);
    assertThat(sorted(scan.rows())).isEqualTo(sorted(duckDb("id", "sd < 300.0")));
    assertThat(scan.statistics().rowGroupsRead()).isBetween(1L, 2L);
  }

  @Test
  void aPredicateOnAColumnAFileLacksTreatsItAsNull() throws SQLException {
    Predicate predicate = new Not(Comparisons.isNull(field("r")));
    DatasetScan scan = DatasetScan.run(dataset, ScanRequest.of(List.of("id"), predicate), 1 << 30);
    assertThat(sorted(scan.rows())).isEqualTo(sorted(duckDb("id", "r IS NOT NULL")));
    assertThat(scan.statistics().filesSkipped()).isEqualTo(1);
  }

  private static List<String> duckDb(String columns, String where) throws SQLException {
    List<String> rows = new ArrayList<>();
    String glob = dir.resolve("corpus").resolve("*.parquet").toString();
    try (Statement statement = duckdb.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT "
                    + columns
                    + " FROM read_parquet('"
                    + glob
                    + "', union_by_name = true) WHERE "
                    + where)) {
      int count = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int c = 1; c <= count; c++) {
          row.add(Canonical.jdbc(rs.getObject(c)));
        }
        rows.add(String.join("|", row));
      }
    }
    return rows;
  }

  private static List<String> sorted(List<String> rows) {
    return rows.stream().sorted().toList();
  }

  private static Field field(String name) {
    return dataset.field(name).orElseThrow();
  }

  /** A predicate and the same condition in DuckDB's SQL. */
  record Generated(String sql, Predicate predicate) {}

  private static Generated predicate(Random random, int depth) {
    int choice = random.nextInt(depth == 0 ? 6 : 9);
    if (choice == 6) {
      Generated left = predicate(random, depth - 1);
      Generated right = predicate(random, depth - 1);
      return new Generated(
          "(" + left.sql() + ") AND (" + right.sql() + ")",
          new And(List.of(left.predicate(), right.predicate())));
    }
    if (choice == 7) {
      Generated left = predicate(random, depth - 1);
      Generated right = predicate(random, depth - 1);
      return new Generated(
          "(" + left.sql() + ") OR (" + right.sql() + ")",
          new Or(List.of(left.predicate(), right.predicate())));
    }
    if (choice == 8) {
      Generated inner = predicate(random, depth - 1);
      return new Generated("NOT (" + inner.sql() + ")", new Not(inner.predicate()));
    }
    return leaf(random);
  }

  private static final List<String> COLUMNS =
      List.of("id", "k", "r", "d", "s", "dt", "ts", "dec", "b", "nothing", "u", "f");

  private static Generated leaf(Random random) {
    String column = COLUMNS.get(random.nextInt(COLUMNS.size()));
    Field field = field(column);
    int form = random.nextInt(10);
    if (form == 0) {
      return random.nextBoolean()
          ? new Generated(column + " IS NULL", Comparisons.isNull(field))
          : new Generated(column + " IS NOT NULL", new Not(Comparisons.isNull(field)));
    }
    if (column.equals("s") && form <= 2) {
      String pattern =
          form == 1
              ? "name_" + random.nextInt(6) + "%"
              : "%" + random.nextInt(10) + (random.nextBoolean() ? "_" : "");
      Predicate like = Comparisons.like(field, pattern, null);
      return random.nextBoolean()
          ? new Generated(column + " LIKE '" + pattern + "'", like)
          : new Generated(column + " NOT LIKE '" + pattern + "'", new Not(like));
    }
    if (form == 3 && !column.equals("b")) {
      Literal a = literal(random, column);
      Literal b = literal(random, column);
      Literal c = literal(random, column);
      return new Generated(
          column + " IN (" + a.sql() + ", " + b.sql() + ", " + c.sql() + ")",
          Comparisons.in(field, List.of(a.value(), b.value(), c.value())));
    }
    if (form == 4 && !column.equals("b")) {
      Literal low = literal(random, column);
      Literal high = literal(random, column);
      return new Generated(
          column + " BETWEEN " + low.sql() + " AND " + high.sql(),
          new And(
              List.of(
                  Comparisons.compare(field, ComparisonOperator.GE, low.value()),
                  Comparisons.compare(field, ComparisonOperator.LE, high.value()))));
    }
    ComparisonOperator op =
        column.equals("b")
            ? (random.nextBoolean() ? ComparisonOperator.EQ : ComparisonOperator.NE)
            : ComparisonOperator.values()[random.nextInt(ComparisonOperator.values().length)];
    Literal literal = literal(random, column);
    return new Generated(
        column + " " + op.symbol() + " " + literal.sql(),
        Comparisons.compare(field, op, literal.value()));
  }

  /** A literal in SQL and as the Java value a SQL front end would pass. */
  record Literal(String sql, Object value) {}

  private static Literal literal(Random random, String column) {
    return switch (column) {
      case "id" -> number(BigDecimal.valueOf(random.nextInt(70_000) - 100));
      case "k" -> number(BigDecimal.valueOf(random.nextInt(720)));
      case "r", "nothing" ->
          number(
              random.nextInt(4) == 0
                  ? BigDecimal.valueOf(random.nextInt(20_000) - 5_000, 1)
                  : BigDecimal.valueOf(random.nextInt(1_000)));
      case "u" -> number(BigDecimal.valueOf(random.nextInt(5_200) - 100));
      case "d" -> number(BigDecimal.valueOf(random.nextInt(100_000), 2));
      case "f" ->
          number(BigDecimal.valueOf(random.nextInt(1_000), 0).divide(BigDecimal.valueOf(2)));
      case "dec" -> number(BigDecimal.valueOf(random.nextInt(2_000_000) - 1_000_000, 3));
      case "s" -> {
        String value = "name_" + random.nextInt(60) + (random.nextInt(8) == 0 ? "x" : "");
        yield new Literal("'" + value + "'", value);
      }
      case "dt" -> {
        LocalDate day = FIRST_DAY.plusDays(random.nextInt(1_400) - 10);
        yield new Literal("DATE '" + day + "'", day);
      }
      case "ts" -> {
        LocalDateTime time =
            FIRST_TIME.plusSeconds(random.nextInt(68_000) * 37L + random.nextInt(40));
        yield new Literal("TIMESTAMP '" + time.toString().replace('T', ' ') + "'", time);
      }
      case "b" -> {
        boolean value = random.nextBoolean();
        yield new Literal(Boolean.toString(value), value);
      }
      default -> throw new IllegalArgumentException(column);
    };
  }

  private static Literal number(BigDecimal value) {
    return new Literal(value.toPlainString(), value);
  }
}
