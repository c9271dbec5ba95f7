package dev.quiver.server.exec;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * One window function of a window operator.
 *
 * @param arguments the input columns it reads: none for ranking functions and {@code COUNT(*)}; the
 *     value, then the default for LAG and LEAD; both have the output's type where a value is copied
 *     ({@link WindowFunction#copiesArgument()})
 * @param offset LAG's and LEAD's offset, NTILE's buckets, NTH_VALUE's n; 0 otherwise
 * @param frame the rows it reads, for functions that read a frame
 * @param field its output column
 */
public record WindowCall(
    WindowFunction function, List<Integer> arguments, long offset, WindowFrame frame, Field field) {
  public WindowCall {
    requireNonNull(function, "function is null");
    arguments = List.copyOf(arguments);
    requireNonNull(frame, "frame is null");
    requireNonNull(field, "field is null");
    if (offset < 0) {
      throw new IllegalArgumentException(function + " cannot take a negative offset: " + offset);
    }
  }
}
