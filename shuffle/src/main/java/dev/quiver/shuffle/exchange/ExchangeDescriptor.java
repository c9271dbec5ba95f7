package dev.quiver.shuffle.exchange;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.apache.arrow.flight.FlightDescriptor;

/**
 * What a {@code DoPut} into an exchange carries: which query's exchange, the stage that receives
 * it, which node sends, and which partition (the receiving stage's task) it sends. On the wire it
 * is a path descriptor {@code [quiver-exchange, 2, query, stage, sender, partition]}; the second
 * element is the format's version.
 */
public record ExchangeDescriptor(String query, int stage, String sender, int partition) {
  static final String KIND = "quiver-exchange";
  static final String VERSION = "2";

  public ExchangeDescriptor {
    requireNonNull(query, "query is null");
    requireNonNull(sender, "sender is null");
    if (stage < 0) {
      throw new IllegalArgumentException("stage must not be negative: " + stage);
    }
    if (partition < 0) {
      throw new IllegalArgumentException("partition must not be negative: " + partition);
    }
  }

  public FlightDescriptor toFlight() {
    return FlightDescriptor.path(
        KIND, VERSION, query, Integer.toString(stage), sender, Integer.toString(partition));
  }

  /** Whether {@code descriptor} names an exchange (of any version). */
  public static boolean isExchange(FlightDescriptor descriptor) {
    return !descriptor.isCommand()
        && !descriptor.getPath().isEmpty()
        && descriptor.getPath().get(0).equals(KIND);
  }

  /**
   * Reads an exchange descriptor.
   *
   * @throws IllegalArgumentException naming what is wrong when it is not one this build reads
   */
  public static ExchangeDescriptor of(FlightDescriptor descriptor) {
    if (!isExchange(descriptor)) {
      throw new IllegalArgumentException("Not an exchange descriptor: " + descriptor);
    }
    List<String> path = descriptor.getPath();
    if (path.size() < 2 || !path.get(1).equals(VERSION)) {
      throw new IllegalArgumentException(
          "Exchange descriptor version "
              + (path.size() < 2 ? "(none)" : path.get(1))
              + " is not supported; this node reads version "
              + VERSION);
    }
    if (path.size() != 6) {
      throw new IllegalArgumentException(
          "An exchange descriptor is ["
              + KIND
              + ", version, query, stage, sender, partition], got "
              + path);
    }
    return new ExchangeDescriptor(
        path.get(2), number(path.get(3), "stage"), path.get(4), number(path.get(5), "partition"));
  }

  private static int number(String text, String what) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Exchange " + what + " is not a number: " + text);
    }
  }
}
