package dev.quiver.server.sql;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;

/**
 * How deep and how large a parsed query is, measured without recursion (so that measuring a query
 * deep enough to overflow a thread's stack cannot itself overflow): validation, conversion and
 * evaluation all recurse once per level, and their work grows with the nodes and, for some, with
 * the square of the depth.
 *
 * <p>A level is a call: a clause ({@code SELECT}), an operator, a function. Names and literals are
 * nodes but no level. Calcite nests a chain of {@code AND}s or {@code OR}s as deep as it is long
 * and then flattens it into one call, so such a chain is one level. The literals of an {@code IN}
 * list are no nodes: long value lists belong there.
 *
 * @param depth the most calls nested in one another
 * @param nodes calls, names and literals
 */
public record ExpressionSize(int depth, int nodes) {
  /** Measures {@code query}. */
  public static ExpressionSize of(SqlNode query) {
    requireNonNull(query, "query is null");
    Deque<Level> pending = new ArrayDeque<>();
    pending.push(new Level(query, 0, null));
    int deepest = 0;
    int nodes = 0;
    while (!pending.isEmpty()) {
      Level level = pending.pop();
      SqlNode node = level.node();
      if (node instanceof SqlNodeList list) {
        boolean valueList = level.parent() == SqlKind.IN || level.parent() == SqlKind.NOT_IN;
        for (SqlNode item : list) {
          if (item != null && !(valueList && item instanceof SqlLiteral)) {
            pending.push(new Level(item, level.depth(), level.parent()));
          }
        }
        continue;
      }
      nodes++;
      if (node instanceof SqlCall call) {
        SqlKind kind = call.getKind();
        boolean chained = (kind == SqlKind.AND || kind == SqlKind.OR) && kind == level.parent();
        int depth = chained ? level.depth() : level.depth() + 1;
        deepest = Math.max(deepest, depth);
        for (SqlNode operand : call.getOperandList()) {
          if (operand != null) {
            pending.push(new Level(operand, depth, kind));
          }
        }
      }
    }
    return new ExpressionSize(deepest, nodes);
  }

  /** A node waiting to be measured, how many calls enclose it, and the kind of its parent call. */
  private record Level(SqlNode node, int depth, SqlKind parent) {}
}
