package dev.quiver.server.plan;

import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import dev.quiver.server.exec.FrameBound;
import dev.quiver.server.exec.SortKey;
import dev.quiver.server.exec.WindowCall;
import dev.quiver.server.exec.WindowFrame;
import dev.quiver.server.exec.WindowFunction;
import dev.quiver.server.expression.Expression;
import dev.quiver.server.expression.Function;
import dev.quiver.server.physical.PhysicalPlan;
import dev.quiver.server.physical.Project;
import dev.quiver.server.physical.Window;
import dev.quiver.server.sql.Projection;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.calcite.rel.RelFieldCollation;
import org.apache.calcite.rel.core.Window.Group;
import org.apache.calcite.rel.core.Window.RexWinAggCall;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexWindowBound;
import org.apache.calcite.rex.RexWindowExclusion;

/**
 * Lowers Calcite's window node (what {@code ... OVER (...)} becomes once projections are split
 * around it) into {@link Window} operators, one per window group (the calls that share PARTITION
 * BY, ORDER BY and frame), each over the one before, so the output is the input's columns and then
 * every call's, as Calcite's row type has them. Constants a call reads as values (LAG's default)
 * and arguments that must first be cast to the call's type are computed in a projection below, and
 * dropped again above.
 */
final class WindowLowering {
  private final org.apache.calcite.rel.core.Window window;
  private final PhysicalPlan input;
  private final RexBuilder rex;
  private final int width;
  private final List<Projection> extra = new ArrayList<>();

  private WindowLowering(
      org.apache.calcite.rel.core.Window window, PhysicalPlan input, RexBuilder rex) {
    this.window = window;
    this.input = input;
    this.rex = rex;
    this.width = window.getInput().getRowType().getFieldCount();
  }

  /**
   * The plan of {@code window} over {@code input}, the plan of its input.
   *
   * @param names the window's output columns' names
   */
  static PhysicalPlan lower(
      org.apache.calcite.rel.core.Window window,
      PhysicalPlan input,
      RexBuilder rex,
      List<String> names) {
    return new WindowLowering(window, input, rex).lower(names);
  }

  private PhysicalPlan lower(List<String> names) {
    List<List<WindowCall>> groups = new ArrayList<>();
    int output = width;
    for (Group group : window.groups) {
      if (group.exclude != RexWindowExclusion.EXCLUDE_NO_OTHER) {
        throw unsupported("A window frame with " + group.exclude);
      }
      WindowFrame frame =
          new WindowFrame(group.isRows, bound(group.lowerBound), bound(group.upperBound));
      if (!frame.rows() && (hasOffset(frame.lower()) || hasOffset(frame.upper()))) {
        requireOneNumericOrderKey(group);
      }
      List<WindowCall> calls = new ArrayList<>();
      for (RexWinAggCall call : group.aggCalls) {
        calls.add(call(call, frame, names.get(output++)));
      }
      groups.add(calls);
    }
    PhysicalPlan plan = input;
    if (!extra.isEmpty()) {
      List<Field> fields = input.schema().getFields();
      List<Projection> all = new ArrayList<>();
      for (int i = 0; i < fields.size(); i++) {
        all.add(new Projection(fields.get(i), new Expression.ColumnRef(i, fields.get(i))));
      }
      all.addAll(extra);
      plan = new Project(plan, all);
    }
    for (int g = 0; g < groups.size(); g++) {
      Group group = window.groups.get(g);
      List<SortKey> order = new ArrayList<>();
      for (RelFieldCollation collation : group.orderKeys.getFieldCollations()) {
        order.add(
            new SortKey(
                collation.getFieldIndex(),
                collation.direction.isDescending(),
                collation.nullDirection == RelFieldCollation.NullDirection.FIRST));
      }
      plan = new Window(plan, group.keys.asList(), order, groups.get(g));
    }
    if (extra.isEmpty()) {
      return plan;
    }
    // The input's columns and the calls', without the computed arguments between them.
    List<Field> fields = plan.schema().getFields();
    List<Projection> shown = new ArrayList<>();
    for (int i = 0; i < fields.size(); i++) {
      if (i < width || i >= width + extra.size()) {
        shown.add(new Projection(fields.get(i), new Expression.ColumnRef(i, fields.get(i))));
      }
    }
    return new Project(plan, shown);
  }

  private WindowCall call(RexWinAggCall call, WindowFrame frame, String name) {
    String function = call.getOperator().getName();
    if (call.distinct) {
      throw unsupported(function + "(DISTINCT ...) OVER (...)");
    }
    if (call.ignoreNulls) {
      throw unsupported(function + "(...) IGNORE NULLS OVER (...)");
    }
    RelDataType type = call.getType();
    ArrowType arrow;
    try {
      arrow = ArrowTypes.toArrow(type);
    } catch (IllegalArgumentException e) {
      throw unsupported(function + " over values of type " + type);
    }
    Field field = new Field(name, FieldType.nullable(arrow), null);
    List<RexNode> operands = call.getOperands();
    WindowFunction kind = kind(call);
    List<Integer> arguments = new ArrayList<>();
    long offset = 0;
    switch (kind) {
      case NTILE:
        offset = constant(operands.get(0), function);
        if (offset < 1) {
          throw new QuiverException(
              ErrorCode.INVALID_ARGUMENT,
              "NTILE needs a positive number of buckets, got " + offset);
        }
        break;
      case LAG:
      case LEAD:
        arguments.add(column(operands.get(0), type));
        offset = operands.size() > 1 ? constant(operands.get(1), function) : 1;
        if (operands.size() > 2) {
          arguments.add(column(operands.get(2), type));
        }
        break;
      case NTH_VALUE:
        arguments.add(column(operands.get(0), type));
        offset = constant(operands.get(1), function);
        if (offset < 1) {
          throw new QuiverException(
              ErrorCode.INVALID_ARGUMENT, "NTH_VALUE needs a positive position, got " + offset);
        }
        break;
      case FIRST_VALUE:
      case LAST_VALUE:
      case MIN:
      case MAX:
        arguments.add(column(operands.get(0), type));
        break;
      case COUNT:
        if (operands.size() > 1) {
          throw unsupported("COUNT of several arguments OVER (...)");
        }
        if (!operands.isEmpty()) {
          arguments.add(column(operands.get(0), null));
        }
        break;
      case SUM:
      case SUM0:
      case AVG:
        arguments.add(column(operands.get(0), null));
        break;
      default:
        break;
    }
    return new WindowCall(kind, arguments, offset, frame, field);
  }

  private static WindowFunction kind(RexWinAggCall call) {
    switch (call.getKind()) {
      case ROW_NUMBER:
        return WindowFunction.ROW_NUMBER;
      case RANK:
        return WindowFunction.RANK;
      case DENSE_RANK:
        return WindowFunction.DENSE_RANK;
      case PERCENT_RANK:
        return WindowFunction.PERCENT_RANK;
      case CUME_DIST:
        return WindowFunction.CUME_DIST;
      case NTILE:
        return WindowFunction.NTILE;
      case LAG:
        return WindowFunction.LAG;
      case LEAD:
        return WindowFunction.LEAD;
      case FIRST_VALUE:
        return WindowFunction.FIRST_VALUE;
      case LAST_VALUE:
        return WindowFunction.LAST_VALUE;
      case NTH_VALUE:
        return WindowFunction.NTH_VALUE;
      case COUNT:
        return WindowFunction.COUNT;
      case SUM:
        return WindowFunction.SUM;
      case SUM0:
        return WindowFunction.SUM0;
      case AVG:
        return WindowFunction.AVG;
      case MIN:
        return WindowFunction.MIN;
      case MAX:
        return WindowFunction.MAX;
      default:
        throw unsupported("The window function " + call.getOperator().getName());
    }
  }

  /**
   * The input column that holds {@code operand}'s values as {@code type} (as they are when null),
   * computed below the window when it is a constant or needs a cast.
   */
  private int column(RexNode operand, RelDataType type) {
    List<Field> fields = input.schema().getFields();
    ArrowType target = type == null ? null : ArrowTypes.toArrow(type);
    if (operand instanceof RexInputRef ref && ref.getIndex() < width) {
      ArrowType actual = fields.get(ref.getIndex()).getType();
      if (target == null || actual.equals(target)) {
        return ref.getIndex();
      }
    }
    RexNode value = resolved(operand);
    if (type != null) {
      value = rex.makeCast(type, value, true, false);
    }
    Expression expression =
        new RexTranslator(RelLowering.columnsOf(input.schema())).translate(value);
    if (target != null && !expression.type().equals(target)) {
      expression = new Expression.Call(Function.CAST, List.of(expression), target);
    }
    extra.add(
        new Projection(
            new Field("$window" + extra.size(), FieldType.nullable(expression.type()), null),
            expression));
    return width + extra.size() - 1;
  }

  /**
   * {@code node}, or the constant it refers to (a window's constants follow its input's columns).
   */
  private RexNode resolved(RexNode node) {
    if (node instanceof RexInputRef ref && ref.getIndex() >= width) {
      return window.constants.get(ref.getIndex() - width);
    }
    return node;
  }

  private long constant(RexNode node, String clause) {
    if (resolved(node) instanceof RexLiteral literal
        && literal.getValue() instanceof BigDecimal value) {
      try {
        return value.longValueExact();
      } catch (ArithmeticException e) {
        // Named below.
      }
    }
    throw new QuiverException(
        ErrorCode.INVALID_ARGUMENT,
        "Cannot use " + node + " as an integer constant in " + clause + "; write a whole number");
  }

  private FrameBound bound(RexWindowBound bound) {
    if (bound.isUnboundedPreceding()) {
      return FrameBound.UNBOUNDED_PRECEDING;
    }
    if (bound.isUnboundedFollowing()) {
      return FrameBound.UNBOUNDED_FOLLOWING;
    }
    if (bound.isCurrentRow()) {
      return FrameBound.CURRENT_ROW;
    }
    long offset = constant(bound.getOffset(), "a window frame");
    return new FrameBound(
        bound.isPreceding() ? FrameBound.Kind.PRECEDING : FrameBound.Kind.FOLLOWING, offset);
  }

  private static boolean hasOffset(FrameBound bound) {
    return bound.kind() == FrameBound.Kind.PRECEDING || bound.kind() == FrameBound.Kind.FOLLOWING;
  }

  private void requireOneNumericOrderKey(Group group) {
    List<RelFieldCollation> keys = group.orderKeys.getFieldCollations();
    ArrowType type =
        keys.size() == 1
            ? input.schema().getFields().get(keys.get(0).getFieldIndex()).getType()
            : null;
    if (!(type instanceof ArrowType.Int || type instanceof ArrowType.FloatingPoint)) {
      throw unsupported("A RANGE frame with an offset other than over one numeric ORDER BY key");
    }
  }

  private static QuiverException unsupported(String what) {
    return new QuiverException(ErrorCode.UNIMPLEMENTED, what + " is not supported yet");
  }
}
