package dev.quiver.shuffle.aggregate;

import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/** Picks the accumulator for an aggregate call by function and input type. */
final class Accumulators {
  private Accumulators() {}

  static Accumulator create(AggregateCall call, BufferAllocator allocator) {
    List<Field> state = call.stateFields("state");
    return switch (call.function()) {
      case COUNT_STAR, COUNT -> new CountAccumulator(state.get(0), allocator);
      case SUM -> sum(call, state.get(0), allocator);
      case AVG ->
          new AvgAccumulator(
              call.input().getType() instanceof ArrowType.Int
                  ? new WideIntegerSumAccumulator(call, state.get(0), allocator)
                  : sum(call, state.get(0), allocator),
              new CountAccumulator(state.get(1), allocator));
      case MIN, MAX -> {
        ArrowType type = call.input().getType();
        boolean max = call.function() == AggregateFunction.MAX;
        yield type instanceof ArrowType.Utf8 || type instanceof ArrowType.Binary
            ? new BytesMinMaxAccumulator(max)
            : new FixedMinMaxAccumulator(state.get(0), max, allocator);
      }
    };
  }

  private static SumAccumulator sum(AggregateCall call, Field state, BufferAllocator allocator) {
    ArrowType type = call.input().getType();
    if (type instanceof ArrowType.Decimal) {
      return new DecimalSumAccumulator(call, state, allocator);
    }
    if (type instanceof ArrowType.FloatingPoint) {
      return new DoubleSumAccumulator(state, allocator);
    }
    return new LongSumAccumulator(call, state, allocator);
  }

  /** Grows {@code vector} until it holds at least {@code groups} values. */
  static void ensureCapacity(FieldVector vector, int groups) {
    while (vector.getValueCapacity() < groups) {
      vector.reAlloc();
    }
  }

  /** Moves {@code source}'s buffers into {@code target} after setting its value count. */
  static void moveInto(FieldVector source, FieldVector target, int groupCount) {
    source.setValueCount(groupCount);
    source.makeTransferPair(target).transfer();
  }
}
