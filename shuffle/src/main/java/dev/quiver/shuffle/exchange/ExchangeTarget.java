package dev.quiver.shuffle.exchange;

import java.util.List;

/**
 * Where one partition of an exchange goes: another node, over Flight ({@link
 * FlightExchangeTarget}), or this node's own receiver ({@link LocalExchangeTarget}). The sending
 * side is the same for both.
 */
public interface ExchangeTarget {
  /**
   * Sends the rows of {@code slices} (all of one schema) and returns once the target has them.
   *
   * @return Arrow bytes sent
   */
  long send(List<Slice> slices);

  /** Whether the rows leave this process. */
  boolean isRemote();

  /**
   * Whether the rows go by descriptor (written once into shared memory the receiver maps) rather
   * than as a stream of bytes.
   */
  default boolean byDescriptor() {
    return false;
  }

  /** Of the bytes this target sent, those that went by descriptor. */
  default long descriptorBytes() {
    return 0;
  }

  /** Who receives, for reports and messages. */
  String name();
}
