package dev.quiver.client.cli;

/** Byte counts for people: 1536 is "1.5 KiB". */
final class Sizes {
  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

  private Sizes() {}

  static String human(long bytes) {
    if (bytes < 0) {
      return "?";
    }
    double value = bytes;
    int unit = 0;
    while (value >= 1024 && unit < UNITS.length - 1) {
      value /= 1024;
      unit++;
    }
    return unit == 0 ? bytes + " B" : String.format("%.1f %s", value, UNITS[unit]);
  }
}
