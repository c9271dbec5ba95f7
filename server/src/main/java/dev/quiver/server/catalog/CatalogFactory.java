package dev.quiver.server.catalog;

import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.parquet.dataset.DatasetFiles;
import dev.quiver.parquet.dataset.DatasetLoader;
import dev.quiver.server.config.QuiverConfig;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the catalog from configuration, generating the sample when no dataset is configured. */
@Factory
public class CatalogFactory {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogFactory.class);

  /** Whether {@code location} is an existing directory without any Parquet file below it. */
  private static boolean isEmptyDirectory(String location) {
    return Files.isDirectory(Path.of(location)) && DatasetFiles.resolve(location).isEmpty();
  }

  @Singleton
  Catalog catalog(QuiverConfig config) {
    Map<String, String> locations = config.getDatasets();
    if (locations.isEmpty()) {
      Path sample = SampleDataset.ensure(Path.of(config.getSampleDir()), config.getSampleRows());
      locations = Map.of(SampleDataset.NAME, sample.toString());
    }
    List<Dataset> datasets = new ArrayList<>();
    for (Map.Entry<String, String> entry : locations.entrySet()) {
      if (isEmptyDirectory(entry.getValue())) {
        // A new node's own volume is empty until its files arrive (peer-local placement): it
        // serves without the dataset, and the other nodes answer for it, instead of failing.
        LOG.warn(
            "Dataset '{}' has no files yet in {}; serving without it (restart the node once its"
                + " files are there)",
            entry.getKey(),
            entry.getValue());
        continue;
      }
      datasets.add(DatasetLoader.load(entry.getKey(), entry.getValue()));
    }
    return new Catalog(datasets);
  }
}
