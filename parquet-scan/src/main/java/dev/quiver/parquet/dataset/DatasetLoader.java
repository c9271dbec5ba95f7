package dev.quiver.parquet.dataset;

import dev.quiver.parquet.schema.ArrowSchemaMapping;
import dev.quiver.parquet.schema.UnsupportedParquetFeatureException;
import dev.quiver.parquet.storage.Storage;
import dev.quiver.parquet.storage.StorageReads;
import dev.quiver.parquet.storage.StoredFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a dataset: lists its files, reads their footers (in parallel, one tail read each) and
 * unifies the schemas.
 */
public final class DatasetLoader {
  private static final Logger LOG = LoggerFactory.getLogger(DatasetLoader.class);

  /** Local footers read at once: enough to keep a disk's queue full. */
  private static final int LOCAL_FOOTER_THREADS = 16;

  /** Remote footers read at once: object storage answers each in tens of milliseconds. */
  private static final int REMOTE_FOOTER_THREADS = 64;

  private DatasetLoader() {}

  /** Loads the dataset {@code name} at a local {@code location}, or a Hadoop URI with defaults. */
  public static Dataset load(String name, String location) {
    return load(name, location, Storage.local());
  }

  /**
   * Loads the dataset {@code name} at {@code location} from {@code storage}.
   *
   * @throws InvalidDatasetException if the location cannot be listed or has no files, a file is not
   *     readable Parquet, or two files' schemas conflict
   */
  public static Dataset load(String name, String location, Storage storage) {
    return load(name, location, storage, null);
  }

  /**
   * Loads the dataset {@code name} at {@code location} from {@code storage}, reading only the first
   * file's footer when {@code lazyFooters} is given: the dataset's schema is then that file's (plus
   * the partition columns), and every other footer is read through the cache when a query first
   * needs it, so files pruned by partition values are never opened.
   *
   * @param lazyFooters where lazily read footers are kept, or null to read every footer now
   * @throws InvalidDatasetException if the location cannot be listed or has no files, a file read
   *     now is not readable Parquet, or two files' schemas conflict
   */
  public static Dataset load(
      String name, String location, Storage storage, FooterCache lazyFooters) {
    return load(name, location, storage, lazyFooters, StrayFiles.SKIP);
  }

  /**
   * Loads the dataset as {@link #load(String, String, Storage, FooterCache)} does, with files that
   * are plainly not Parquet skipped or rejected as {@code strayFiles} says.
   */
  public static Dataset load(
      String name,
      String location,
      Storage storage,
      FooterCache lazyFooters,
      StrayFiles strayFiles) {
    long started = System.nanoTime();
    List<StoredFile> stored;
    String base;
    try {
      stored = storage.list(location);
      base = stored.isEmpty() ? location : storage.base(location);
    } catch (IOException | RuntimeException e) {
      throw new InvalidDatasetException(
          "Cannot list dataset '" + name + "' at " + location + ": " + e.getMessage(), e);
    }
    stored = withoutStrayFiles(name, stored, strayFiles);
    if (stored.isEmpty()) {
      throw new InvalidDatasetException(
          "Cannot load dataset '" + name + "': no Parquet files at " + location);
    }
    List<String> locations = stored.stream().map(StoredFile::location).toList();
    List<Map<String, String>> rawPartitions = new ArrayList<>(stored.size());
    for (String file : locations) {
      rawPartitions.add(HivePartitions.parse(base, file));
    }
    List<Field> partitionFields = HivePartitions.fields(locations, rawPartitions);
    List<DataFile> read;
    if (lazyFooters == null) {
      read = readFiles(stored);
    } else {
      read = new ArrayList<>(stored.size());
      FileFooter first = readFooter(stored.get(0));
      lazyFooters.put(stored.get(0), first);
      read.add(new DataFile(stored.get(0), first.metadata(), first.schema()));
      for (StoredFile file : stored.subList(1, stored.size())) {
        read.add(DataFile.lazy(file, Map.of(), lazyFooters));
      }
    }
    List<DataFile> files = new ArrayList<>(read.size());
    SchemaUnifier unifier = new SchemaUnifier();
    for (int i = 0; i < read.size(); i++) {
      DataFile file = read.get(i);
      if (!file.footerLoaded()) {
        files.add(
            file.withPartitionValues(HivePartitions.values(partitionFields, rawPartitions.get(i))));
        continue;
      }
      for (Field partition : partitionFields) {
        if (file.schema().getFields().stream()
            .anyMatch(f -> f.getName().equals(partition.getName()))) {
          throw new InvalidDatasetException(
              "Column '"
                  + partition.getName()
                  + "' of "
                  + file.location()
                  + " is also a partition directory name; rename one of them");
        }
      }
      unifier.add(file.schema(), file.location());
      files.add(
          file.withPartitionValues(HivePartitions.values(partitionFields, rawPartitions.get(i))));
    }
    List<Field> fields = new ArrayList<>(unifier.schema().getFields());
    fields.addAll(partitionFields);
    Dataset dataset = new Dataset(name, location, files, new Schema(fields));
    LOG.info(
        "Loaded dataset '{}' from {}: {} files, {} rows, {} bytes in {} ms",
        name,
        location,
        files.size(),
        lazyFooters == null ? Long.toString(dataset.rowCount()) : "(lazy footers: not yet known)",
        dataset.sizeBytes(),
        (System.nanoTime() - started) / 1_000_000);
    return dataset;
  }

  /** Reads the footers of {@code stored}, in parallel when there are several. */
  /**
   * {@code stored} without the files that are plainly not Parquet: a file whose name has no Parquet
   * extension ({@code .parquet}, {@code .parq}, {@code .pq}) and that does not end with Parquet's
   * magic (a stray README, a CSV, a .txt beside the data) is left out with a warning naming it, or
   * fails the dataset when {@code strayFiles} rejects such files. A file with a Parquet name is
   * always read, so a damaged one still fails the dataset, naming it; Parquet files without an
   * extension (as Hive writes them) are read too.
   */
  private static List<StoredFile> withoutStrayFiles(
      String name, List<StoredFile> stored, StrayFiles strayFiles) {
    List<StoredFile> kept = new ArrayList<>(stored.size());
    for (StoredFile file : stored) {
      String lower = file.location().toLowerCase(java.util.Locale.ROOT);
      boolean parquetName =
          lower.endsWith(".parquet") || lower.endsWith(".parq") || lower.endsWith(".pq");
      try {
        if (parquetName || Footers.looksLikeParquet(file, new StorageReads())) {
          kept.add(file);
          continue;
        }
      } catch (IOException | RuntimeException e) {
        kept.add(file); // unreadable: reading its footer says why, naming it
        continue;
      }
      if (strayFiles == StrayFiles.REJECT) {
        throw new InvalidDatasetException(
            "Cannot load dataset '"
                + name
                + "': "
                + file.location()
                + " is not a Parquet file (no .parquet name, no Parquet magic); remove it, or"
                + " let stray files be skipped (quiver.strict-datasets=false)");
      }
      LOG.warn(
          "Dataset '{}': {} is not a Parquet file (no .parquet name, no Parquet magic); skipped",
          name,
          file.location());
    }
    return kept;
  }

  private static List<DataFile> readFiles(List<StoredFile> stored) {
    if (stored.size() == 1) {
      return List.of(readFile(stored.get(0)));
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.min(
                Storage.isLocal(stored.get(0).location())
                    ? LOCAL_FOOTER_THREADS
                    : REMOTE_FOOTER_THREADS,
                stored.size()),
            task -> {
              Thread thread = new Thread(task, "quiver-footers");
              thread.setDaemon(true);
              return thread;
            });
    try {
      List<Future<DataFile>> futures = new ArrayList<>(stored.size());
      for (StoredFile file : stored) {
        futures.add(pool.submit(() -> readFile(file)));
      }
      List<DataFile> files = new ArrayList<>(stored.size());
      for (Future<DataFile> future : futures) {
        files.add(future.get());
      }
      return files;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InvalidDatasetException("Interrupted while reading footers", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      throw new InvalidDatasetException(e.getCause().getMessage(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /** Reads one local file's footer. */
  public static DataFile readFile(Path path) {
    try {
      BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
      return readFile(
          new StoredFile(
              Storage.local(),
              path.toAbsolutePath().normalize().toString(),
              attributes.size(),
              attributes.lastModifiedTime().toMillis()));
    } catch (IOException e) {
      throw new InvalidDatasetException("Cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /** Reads one file's footer. */
  public static DataFile readFile(StoredFile file) {
    FileFooter footer = readFooter(file);
    return new DataFile(file, footer.metadata(), footer.schema());
  }

  /** Reads one file's footer and maps its schema. */
  static FileFooter readFooter(StoredFile file) {
    try {
      ParquetMetadata footer = Footers.read(file, new StorageReads());
      Schema schema =
          ArrowSchemaMapping.toArrowSchema(footer.getFileMetaData().getSchema(), file.location());
      return new FileFooter(footer, schema);
    } catch (UnsupportedParquetFeatureException unsupported) {
      throw unsupported;
    } catch (IOException | RuntimeException e) {
      throw new InvalidDatasetException(
          "Cannot read Parquet footer of " + file.location() + ": " + e.getMessage(), e);
    }
  }
}
