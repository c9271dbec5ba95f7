package dev.quiver.parquet.storage;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.io.NioInputFile;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.EtagSource;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.util.functional.FutureIO;
import org.apache.parquet.hadoop.util.HadoopStreams;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/**
 * Where dataset files live. A location without a scheme (or with {@code file:}) is a local path,
 * listed and read through java.nio with positional reads; any other scheme ({@code s3a://}, {@code
 * hdfs://}, {@code gs://}, {@code abfs://}) goes through Hadoop's {@link FileSystem}, configured
 * with the Hadoop properties this storage was made with, and is read with Hadoop's vectored reads:
 * a scan asks for all the column chunks of a row group at once and the file system fetches them in
 * parallel ranged requests.
 *
 * <p>A location is a file, a directory (read recursively) or a glob such as {@code
 * s3a://bucket/trips/*}{@code /*.parquet}, whose pattern is matched against paths below its fixed
 * leading directory. Files and directories whose name starts with {@code _} or {@code .} (Spark's
 * {@code _SUCCESS}, {@code _temporary}) are ignored.
 *
 * <p>Thread-safe. Holds one Hadoop file system per scheme and authority, closed with the storage.
 */
public final class Storage implements AutoCloseable {
  private static final String GLOB_CHARACTERS = "*?[{";
  private static final Storage LOCAL = new Storage(Map.of(), Optional.empty());

  private final Map<String, String> hadoopProperties;
  private final Optional<Path> coreSite;
  private final Map<String, FileSystem> fileSystems = new ConcurrentHashMap<>();

  /**
   * The statuses remote files were listed with, by location: opening a file with its status spares
   * a request, and S3A then checks each read against the listed ETag.
   */
  private final Map<String, FileStatus> listed = new ConcurrentHashMap<>();

  private volatile Configuration configuration;

  private Storage(Map<String, String> hadoopProperties, Optional<Path> coreSite) {
    this.hadoopProperties = Map.copyOf(hadoopProperties);
    this.coreSite = requireNonNull(coreSite, "coreSite is null");
  }

  /** Storage for local paths and Hadoop file systems with their default settings. */
  public static Storage local() {
    return LOCAL;
  }

  /**
   * Storage whose Hadoop file systems take {@code hadoopProperties} (such as {@code
   * fs.s3a.endpoint}) over those of {@code coreSite}, over Hadoop's defaults.
   */
  public static Storage of(Map<String, String> hadoopProperties, Optional<Path> coreSite) {
    return new Storage(new LinkedHashMap<>(hadoopProperties), coreSite);
  }

  /** Whether {@code location} is a local path rather than a URI of a Hadoop file system. */
  public static boolean isLocal(String location) {
    String scheme = scheme(location);
    return scheme == null || scheme.equals("file");
  }

  /** How many remote files' listed statuses this storage keeps (to open them without a request). */
  public int rememberedFiles() {
    return listed.size();
  }

  /**
   * The files of a location, sorted by location.
   *
   * @throws FileNotFoundException if the location (or a glob's directory) does not exist
   * @throws IOException if storage cannot be listed (unreachable, access denied)
   */
  public List<StoredFile> list(String location) throws IOException {
    int globAt = firstGlobCharacter(location);
    if (isLocal(location)) {
      return globAt >= 0 ? localGlob(location, globAt) : localFiles(location);
    }
    FileSystem fs = fileSystem(location);
    String base = base(location);
    PathMatcher accept;
    if (globAt >= 0) {
      PathMatcher matcher =
          FileSystems.getDefault()
              .getPathMatcher("glob:" + location.substring(location.lastIndexOf('/', globAt) + 1));
      accept = matcher;
    } else {
      FileStatus status = fs.getFileStatus(new org.apache.hadoop.fs.Path(location));
      if (status.isFile()) {
        return List.of(stored(status));
      }
      accept = p -> true;
    }
    org.apache.hadoop.fs.Path basePath = new org.apache.hadoop.fs.Path(base);
    String qualifiedBase = fs.makeQualified(basePath).toString();
    List<StoredFile> files = new ArrayList<>();
    java.util.Set<String> present = new java.util.HashSet<>();
    RemoteIterator<LocatedFileStatus> statuses = fs.listFiles(basePath, true);
    while (statuses.hasNext()) {
      LocatedFileStatus status = statuses.next();
      String file = status.getPath().toString();
      present.add(file);
      String relative = relative(qualifiedBase, file);
      if (!isIgnored(relative) && accept.matches(Path.of(relative))) {
        files.add(stored(status));
      }
    }
    // Files gone from under the base since an earlier listing are forgotten.
    String under = qualifiedBase.endsWith("/") ? qualifiedBase : qualifiedBase + "/";
    listed.keySet().removeIf(known -> known.startsWith(under) && !present.contains(known));
    files.sort(Comparator.comparing(StoredFile::location));
    return files;
  }

  /**
   * The directory a location's files are found under: the directory itself, a file's parent, or a
   * glob's fixed leading part; Hive partition directories are read below it. Remote bases are
   * qualified URIs, local ones absolute paths, as the locations of listed files are.
   */
  public String base(String location) throws IOException {
    int globAt = firstGlobCharacter(location);
    if (isLocal(location)) {
      if (globAt >= 0) {
        int lastSeparator = location.lastIndexOf('/', globAt);
        return localPath(
                lastSeparator < 0 ? "." : location.substring(0, Math.max(lastSeparator, 1)))
            .toString();
      }
      Path path = localPath(location);
      return (Files.isDirectory(path) ? path : path.getParent()).toString();
    }
    FileSystem fs = fileSystem(location);
    org.apache.hadoop.fs.Path path;
    if (globAt >= 0) {
      path =
          new org.apache.hadoop.fs.Path(location.substring(0, location.lastIndexOf('/', globAt)));
    } else {
      path = new org.apache.hadoop.fs.Path(location);
      if (fs.getFileStatus(path).isFile()) {
        path = path.getParent();
      }
    }
    return fs.makeQualified(path).toString();
  }

  /** The path of {@code file} below {@code base}, with {@code /} between its parts. */
  public static String relative(String base, String file) {
    String prefix = base.endsWith("/") ? base : base + "/";
    if (!file.startsWith(prefix)) {
      throw new IllegalArgumentException(file + " is not below " + base);
    }
    return file.substring(prefix.length());
  }

  InputFile open(StoredFile file, StorageReads reads) throws IOException {
    if (isLocal(file.location())) {
      return new CountedInputFile(new NioInputFile(localPath(file.location())), file, reads);
    }
    FileSystem fs = fileSystem(file.location());
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(file.location());
    FileStatus listedStatus = listed.get(file.location());
    FileStatus status =
        listedStatus != null && listedStatus.getLen() == file.length() ? listedStatus : null;
    InputFile remote =
        new InputFile() {
          @Override
          public long getLength() {
            return file.length();
          }

          @Override
          public SeekableInputStream newStream() throws IOException {
            var builder =
                fs.openFile(path)
                    .opt("fs.option.openfile.read.policy", "parquet, vector, random, adaptive")
                    .opt("fs.option.openfile.length", Long.toString(file.length()));
            if (status != null) {
              builder.withFileStatus(status);
            }
            FSDataInputStream in = FutureIO.awaitFuture(builder.build());
            return HadoopStreams.wrap(in);
          }
        };
    return new CountedInputFile(remote, file, reads);
  }

  void checkUnchanged(StoredFile file) throws IOException {
    long length;
    long modified;
    if (isLocal(file.location())) {
      BasicFileAttributes attributes =
          Files.readAttributes(localPath(file.location()), BasicFileAttributes.class);
      length = attributes.size();
      modified = attributes.lastModifiedTime().toMillis();
    } else {
      FileStatus status =
          fileSystem(file.location()).getFileStatus(new org.apache.hadoop.fs.Path(file.location()));
      length = status.getLen();
      modified = status.getModificationTime();
      String version = version(status);
      if (!version.equals(file.version())) {
        throw new ChangedFileException(
            file.location()
                + " changed after its footer was read (version "
                + file.version()
                + " -> "
                + version
                + "); refresh the dataset");
      }
    }
    if (length != file.length() || modified != file.modifiedMillis()) {
      throw new ChangedFileException(
          file.location()
              + " changed after its footer was read (length "
              + file.length()
              + " -> "
              + length
              + ", modified "
              + file.modifiedMillis()
              + " -> "
              + modified
              + "); refresh the dataset");
    }
  }

  @Override
  public void close() throws IOException {
    IOException failure = null;
    for (FileSystem fs : fileSystems.values()) {
      try {
        fs.close();
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    fileSystems.clear();
    if (failure != null) {
      throw failure;
    }
  }

  private StoredFile stored(FileStatus status) {
    String location = status.getPath().toString();
    listed.put(location, status);
    return new StoredFile(
        this, location, status.getLen(), status.getModificationTime(), version(status));
  }

  /** An object's ETag where the file system tracks one, else empty. */
  private static String version(FileStatus status) {
    if (status instanceof EtagSource tagged && tagged.getEtag() != null) {
      return tagged.getEtag();
    }
    return "";
  }

  private FileSystem fileSystem(String location) throws IOException {
    URI uri = URI.create(location.replace(" ", "%20"));
    String key = uri.getScheme() + "://" + (uri.getAuthority() == null ? "" : uri.getAuthority());
    try {
      return fileSystems.computeIfAbsent(
          key,
          k -> {
            try {
              // A file system of our own (not Hadoop's process-wide cache): it takes this storage's
              // settings and is closed with it.
              return FileSystem.newInstance(URI.create(k + "/"), configuration());
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private Configuration configuration() {
    Configuration conf = configuration;
    if (conf == null) {
      synchronized (this) {
        conf = configuration;
        if (conf == null) {
          conf = new Configuration();
          if (coreSite.isPresent()) {
            conf.addResource(new org.apache.hadoop.fs.Path(coreSite.get().toUri()));
          }
          hadoopProperties.forEach(conf::set);
          configuration = conf;
        }
      }
    }
    return conf;
  }

  private List<StoredFile> localFiles(String location) throws IOException {
    Path path = localPath(location);
    if (Files.isRegularFile(path)) {
      return List.of(localFile(path));
    }
    if (Files.isDirectory(path)) {
      return walk(path, p -> true);
    }
    throw new FileNotFoundException("Cannot find dataset location " + location);
  }

  private List<StoredFile> localGlob(String location, int globAt) throws IOException {
    int lastSeparator = location.lastIndexOf('/', globAt);
    Path base =
        localPath(lastSeparator < 0 ? "." : location.substring(0, Math.max(lastSeparator, 1)));
    if (!Files.isDirectory(base)) {
      throw new FileNotFoundException(
          "Cannot find directory " + base + " of dataset location " + location);
    }
    PathMatcher matcher =
        FileSystems.getDefault().getPathMatcher("glob:" + location.substring(lastSeparator + 1));
    return walk(base, p -> matcher.matches(base.relativize(p)));
  }

  private List<StoredFile> walk(Path base, PathMatcher accept) throws IOException {
    try (Stream<Path> paths = Files.walk(base)) {
      List<Path> found =
          paths
              .filter(Files::isRegularFile)
              .filter(p -> !isIgnored(base.relativize(p).toString()))
              .filter(accept::matches)
              .sorted()
              .toList();
      List<StoredFile> files = new ArrayList<>(found.size());
      for (Path path : found) {
        files.add(localFile(path));
      }
      return files;
    } catch (UncheckedIOException e) {
      throw new IOException("Cannot list files under " + base + ": " + e.getMessage(), e);
    }
  }

  private StoredFile localFile(Path path) throws IOException {
    BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
    return new StoredFile(
        this, path.toString(), attributes.size(), attributes.lastModifiedTime().toMillis());
  }

  private static Path localPath(String location) {
    Path path = location.startsWith("file:") ? Path.of(URI.create(location)) : Path.of(location);
    return path.toAbsolutePath().normalize();
  }

  private static boolean isIgnored(String relative) {
    for (String part : relative.split("/")) {
      if (part.startsWith(".") || part.startsWith("_")) {
        return true;
      }
    }
    return false;
  }

  private static String scheme(String location) {
    int colon = location.indexOf("://");
    if (colon <= 0) {
      return location.startsWith("file:") ? "file" : null;
    }
    String scheme = location.substring(0, colon);
    return scheme.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '+' || c == '-')
        ? scheme.toLowerCase(java.util.Locale.ROOT)
        : null;
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
