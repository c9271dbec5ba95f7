package dev.quiver.server.catalog;

import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.parquet.dataset.DatasetLoader;
import dev.quiver.server.config.QuiverConfig;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds the catalog from configuration, generating the sample when no dataset is configured. */
@Factory
public class CatalogFactory {

  @Singleton
  Catalog catalog(QuiverConfig config) {
    Map<String, String> locations = config.getDatasets();
    if (locations.isEmpty()) {
      Path sample = SampleDataset.ensure(Path.of(config.getSampleDir()), config.getSampleRows());
      locations = Map.of(SampleDataset.NAME, sample.toString());
    }
    List<Dataset> datasets = new ArrayList<>();
    for (Map.Entry<String, String> entry : locations.entrySet()) {
      datasets.add(DatasetLoader.load(entry.getKey(), entry.getValue()));
    }
    return new Catalog(datasets);
  }
}
