package dev.quiver.parquet.dataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.stream.Stream;

/**
 * Resolves a dataset location to its Parquet files: a single file, a directory read recursively, or
 * a glob such as {@code /data/trips/*.parquet}. Hidden files and files or directories whose name
 * starts with {@code _} or {@code .} (Spark's {@code _SUCCESS}, {@code _temporary}) are ignored.
 */
public final class DatasetFiles {
  private static final String GLOB_CHARACTERS = "*?[{";

  private DatasetFiles() {}

  /** Returns the files of a location, sorted by path. */
  public static List<Path> resolve(String location) {
    int globAt = firstGlobCharacter(location);
    if (globAt >= 0) {
      return resolveGlob(location, globAt);
    }
    Path path = Path.of(location).toAbsolutePath().normalize();
    if (Files.isRegularFile(path)) {
      return List.of(path);
    }
    if (Files.isDirectory(path)) {
      return walk(path, path, p -> true);
    }
    throw new InvalidDatasetException("Cannot find dataset location " + location);
  }

  /**
   * The directory a location's files are found under: the directory itself, a file's parent, or a
   * glob's fixed leading part. Hive partition directories are read below it.
   */
  public static Path base(String location) {
    int globAt = firstGlobCharacter(location);
    if (globAt >= 0) {
      int lastSeparator = location.lastIndexOf('/', globAt);
      return Path.of(lastSeparator < 0 ? "." : location.substring(0, Math.max(lastSeparator, 1)))
          .toAbsolutePath()
          .normalize();
    }
    Path path = Path.of(location).toAbsolutePath().normalize();
    return Files.isDirectory(path) ? path : path.getParent();
  }

  private static List<Path> resolveGlob(String location, int globAt) {
    int lastSeparator = location.lastIndexOf('/', globAt);
    Path base =
        Path.of(lastSeparator < 0 ? "." : location.substring(0, Math.max(lastSeparator, 1)))
            .toAbsolutePath()
            .normalize();
    if (!Files.isDirectory(base)) {
      throw new InvalidDatasetException(
          "Cannot find directory " + base + " of dataset location " + location);
    }
    String pattern = location.substring(lastSeparator + 1);
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
    return walk(base, base, p -> matcher.matches(base.relativize(p)));
  }

  private static List<Path> walk(Path base, Path start, PathMatcher accept) {
    try (Stream<Path> paths = Files.walk(start)) {
      return paths
          .filter(Files::isRegularFile)
          .filter(p -> !isIgnored(base.relativize(p)))
          .filter(accept::matches)
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list files under " + start, e);
    }
  }

  private static boolean isIgnored(Path relative) {
    for (Path part : relative) {
      String name = part.toString();
      if (name.startsWith(".") || name.startsWith("_")) {
        return true;
      }
    }
    return false;
  }

  private static int firstGlobCharacter(String location) {
    for (int i = 0; i < location.length(); i++) {
      if (GLOB_CHARACTERS.indexOf(location.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }
}
