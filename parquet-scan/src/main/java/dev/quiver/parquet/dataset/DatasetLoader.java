package dev.quiver.parquet.dataset;

import dev.quiver.parquet.schema.ArrowSchemaMapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.LocalInputFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Loads a dataset: resolves its files, reads each footer once and unifies the schemas. */
public final class DatasetLoader {
  private static final Logger LOG = LoggerFactory.getLogger(DatasetLoader.class);

  private DatasetLoader() {}

  /**
   * Loads the dataset {@code name} at {@code location}.
   *
   * @throws InvalidDatasetException if the location has no files, a file is not readable Parquet,
   *     or two files' schemas conflict
   */
  public static Dataset load(String name, String location) {
    List<Path> paths = DatasetFiles.resolve(location);
    if (paths.isEmpty()) {
      throw new InvalidDatasetException(
          "Cannot load dataset '" + name + "': no Parquet files at " + location);
    }
    Path base = DatasetFiles.base(location);
    List<Map<String, String>> rawPartitions = new ArrayList<>(paths.size());
    for (Path path : paths) {
      rawPartitions.add(HivePartitions.parse(base, path));
    }
    List<Field> partitionFields = HivePartitions.fields(paths, rawPartitions);
    List<DataFile> files = new ArrayList<>(paths.size());
    SchemaUnifier unifier = new SchemaUnifier();
    for (int i = 0; i < paths.size(); i++) {
      Path path = paths.get(i);
      DataFile file = readFile(path);
      for (Field partition : partitionFields) {
        if (file.schema().getFields().stream()
            .anyMatch(f -> f.getName().equals(partition.getName()))) {
          throw new InvalidDatasetException(
              "Column '"
                  + partition.getName()
                  + "' of "
                  + path
                  + " is also a partition directory name; rename one of them");
        }
      }
      unifier.add(file.schema(), path.toString());
      files.add(
          file.withPartitionValues(HivePartitions.values(partitionFields, rawPartitions.get(i))));
    }
    List<Field> fields = new ArrayList<>(unifier.schema().getFields());
    fields.addAll(partitionFields);
    Dataset dataset = new Dataset(name, location, files, new Schema(fields));
    LOG.info(
        "Loaded dataset '{}' from {}: {} files, {} rows, {} bytes",
        name,
        location,
        files.size(),
        dataset.rowCount(),
        dataset.sizeBytes());
    return dataset;
  }

  /** Reads one file's footer. */
  public static DataFile readFile(Path path) {
    // A plain configuration: the default one is a Hadoop Configuration parsed from XML per file.
    ParquetReadOptions options =
        ParquetReadOptions.builder(new PlainParquetConfiguration()).build();
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(path), options)) {
      ParquetMetadata footer = reader.getFooter();
      Schema schema =
          ArrowSchemaMapping.toArrowSchema(footer.getFileMetaData().getSchema(), path.toString());
      return new DataFile(path, footer, schema, Files.size(path));
    } catch (IOException | RuntimeException e) {
      if (e instanceof dev.quiver.parquet.schema.UnsupportedParquetFeatureException unsupported) {
        throw unsupported;
      }
      throw new InvalidDatasetException(
          "Cannot read Parquet footer of " + path + ": " + e.getMessage(), e);
    }
  }
}
