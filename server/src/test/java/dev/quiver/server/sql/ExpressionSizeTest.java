package dev.quiver.server.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.server.plan.QuiverSql;
import org.junit.jupiter.api.Test;

/** What {@link ExpressionSize} counts, and that the default limits leave real queries plenty. */
class ExpressionSizeTest {
  @Test
  void aChainOfOrsIsOneLevelAsCalciteFlattensIt() {
    ExpressionSize size = measure("SELECT id FROM t WHERE id = 1 OR id = 2 OR id = 3 OR id = 4");
    // Levels: SELECT, the ORs, a comparison. Nodes: SELECT, id, t, three ORs, four comparisons of
    // a name and a literal.
    assertThat(size).isEqualTo(new ExpressionSize(3, 3 + 3 + 4 * 3));
  }

  @Test
  void aChainOfSumsIsAsDeepAsItIsLong() {
    assertThat(measure("SELECT id + id + id + id FROM t").depth()).isEqualTo(4);
  }

  @Test
  void chainedNotsNestOneLevelEach() {
    assertThat(measure("SELECT id FROM t WHERE " + "NOT ".repeat(50) + "id = 1").depth())
        .isEqualTo(52);
  }

  @Test
  void theValuesOfAnInListAreNoNodes() {
    ExpressionSize small = measure("SELECT id FROM t WHERE id IN (1, 2)");
    ExpressionSize large = measure("SELECT id FROM t WHERE id IN (" + "1, ".repeat(50_000) + "2)");
    assertThat(large).isEqualTo(small);
  }

  @Test
  void measuringDoesNotRecurse() {
    // Deeper than a default thread stack could recurse through: measured on this thread.
    String sql = "SELECT id FROM t WHERE " + "NOT ".repeat(3000) + "id = 1";
    var parsed = parseOnDeepStack(sql);
    assertThat(ExpressionSize.of(parsed).depth()).isEqualTo(3002);
  }

  @Test
  void tpchAndClickBenchQueriesAreWellWithinTheDefaults() {
    String q19 =
        """
        SELECT SUM(l_extendedprice * (1 - l_discount)) AS revenue
        FROM lineitem, part
        WHERE (p_partkey = l_partkey AND p_brand = 'Brand#12'
            AND p_container IN ('SM CASE', 'SM BOX', 'SM PACK', 'SM PKG')
            AND l_quantity >= 1 AND l_quantity <= 1 + 10 AND p_size BETWEEN 1 AND 5
            AND l_shipmode IN ('AIR', 'AIR REG') AND l_shipinstruct = 'DELIVER IN PERSON')
          OR (p_partkey = l_partkey AND p_brand = 'Brand#23'
            AND p_container IN ('MED BAG', 'MED BOX', 'MED PKG', 'MED PACK')
            AND l_quantity >= 10 AND l_quantity <= 10 + 10 AND p_size BETWEEN 1 AND 10
            AND l_shipmode IN ('AIR', 'AIR REG') AND l_shipinstruct = 'DELIVER IN PERSON')
          OR (p_partkey = l_partkey AND p_brand = 'Brand#34'
            AND p_container IN ('LG CASE', 'LG BOX', 'LG PACK', 'LG PKG')
            AND l_quantity >= 20 AND l_quantity <= 20 + 10 AND p_size BETWEEN 1 AND 15
            AND l_shipmode IN ('AIR', 'AIR REG') AND l_shipinstruct = 'DELIVER IN PERSON')
        """;
    String q8 =
        """
        SELECT o_year, SUM(CASE WHEN nation = 'BRAZIL' THEN volume ELSE 0 END) / SUM(volume)
        FROM (SELECT EXTRACT(YEAR FROM o_orderdate) AS o_year,
                     l_extendedprice * (1 - l_discount) AS volume, n2.n_name AS nation
              FROM part, supplier, lineitem, orders, customer, nation n1, nation n2, region
              WHERE p_partkey = l_partkey AND s_suppkey = l_suppkey AND l_orderkey = o_orderkey
                AND o_custkey = c_custkey AND c_nationkey = n1.n_nationkey
                AND n1.n_regionkey = r_regionkey AND r_name = 'AMERICA'
                AND s_nationkey = n2.n_nationkey
                AND o_orderdate BETWEEN DATE '1995-01-01' AND DATE '1996-12-31'
                AND p_type = 'ECONOMY ANODIZED STEEL') AS all_nations
        GROUP BY o_year ORDER BY o_year
        """;
    String clickBench29 =
        """
        SELECT REGEXP_REPLACE(Referer, '^https?://(?:www\\.)?([^/]+)/.*$', '\\1') AS k,
               AVG(length(Referer)) AS l, COUNT(*) AS c, MIN(Referer)
        FROM hits WHERE Referer <> '' GROUP BY k HAVING COUNT(*) > 100000
        ORDER BY l DESC LIMIT 25
        """;
    for (String sql : new String[] {q19, q8, clickBench29}) {
      ExpressionSize size = measure(sql);
      assertThat(size.depth()).isLessThan(PlanningLimits.DEFAULT.maxExpressionDepth() / 10);
      assertThat(size.nodes()).isLessThan(PlanningLimits.DEFAULT.maxExpressionNodes() / 20);
    }
  }

  private static ExpressionSize measure(String sql) {
    return ExpressionSize.of(QuiverSql.parse(sql));
  }

  private static org.apache.calcite.sql.SqlNode parseOnDeepStack(String sql) {
    org.apache.calcite.sql.SqlNode[] parsed = new org.apache.calcite.sql.SqlNode[1];
    Thread parser = new Thread(null, () -> parsed[0] = QuiverSql.parse(sql), "parser", 256L << 20);
    parser.start();
    try {
      parser.join();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
    return parsed[0];
  }
}
