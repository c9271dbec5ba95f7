package dev.quiver.server.expression;

import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;

/** CASE and COALESCE: per row, the first branch that applies. */
final class Conditionals {
  private Conditionals() {}

  /**
   * @param operands conditions and values alternating, then the ELSE value, all evaluated; the
   *     values already cast to {@code type}
   */
  static Column caseWhen(List<Column> operands, ArrowType type) {
    int size = operands.get(0).size;
    Column out = Column.allocate(type, size);
    int branches = (operands.size() - 1) / 2;
    Column otherwise = operands.get(operands.size() - 1);
    for (int i = 0; i < size; i++) {
      Column chosen = otherwise;
      for (int b = 0; b < branches; b++) {
        if (operands.get(2 * b).isTrue(i)) {
          chosen = operands.get(2 * b + 1);
          break;
        }
      }
      copy(chosen, i, out);
    }
    return out;
  }

  /** The first non-null operand, per row; the operands already cast to {@code type}. */
  static Column coalesce(List<Column> operands, ArrowType type) {
    int size = operands.get(0).size;
    Column out = Column.allocate(type, size);
    for (int i = 0; i < size; i++) {
      Column chosen = operands.get(operands.size() - 1);
      for (Column operand : operands) {
        if (!operand.isNull(i)) {
          chosen = operand;
          break;
        }
      }
      copy(chosen, i, out);
    }
    return out;
  }

  private static void copy(Column from, int row, Column to) {
    if (from.isNull(row)) {
      to.setNull(row);
    } else if (to.longs != null) {
      to.longs[row] = from.longs[row];
    } else if (to.doubles != null) {
      to.doubles[row] = from.doubles[row];
    } else {
      to.objects[row] = from.objects[row];
    }
  }
}
