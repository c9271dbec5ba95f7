package dev.quiver.server.catalog;

import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.parquet.dataset.DatasetLoader;
import dev.quiver.parquet.dataset.FooterCache;
import dev.quiver.parquet.dataset.StrayFiles;
import dev.quiver.parquet.storage.Storage;
import dev.quiver.server.auth.Access;
import dev.quiver.server.auth.Grants;
import dev.quiver.server.config.QuiverConfig;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the catalog from configuration, generating the sample when no dataset is configured, and
 * the storage its datasets are read from.
 */
@Factory
public class CatalogFactory {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogFactory.class);

  /** Whether {@code location} is an existing local directory without any file below it. */
  private static boolean isEmptyDirectory(Storage storage, String location) {
    if (!Storage.isLocal(location) || !Files.isDirectory(Path.of(location))) {
      return false;
    }
    try {
      return storage.list(location).isEmpty();
    } catch (IOException e) {
      return false; // loading the dataset reports it
    }
  }

  /** Local paths, and Hadoop file systems configured by {@code quiver.hadoop.*}. */
  @Singleton
  @Bean(preDestroy = "close")
  Storage storage(QuiverConfig config) {
    return Storage.of(config.getHadoop(), Optional.ofNullable(config.getCoreSite()).map(Path::of));
  }

  @Singleton
  Catalog catalog(QuiverConfig config, Storage storage) {
    Map<String, String> locations = config.getDatasets();
    if (locations.isEmpty()) {
      Path sample = SampleDataset.ensure(Path.of(config.getSampleDir()), config.getSampleRows());
      locations = Map.of(SampleDataset.NAME, sample.toString());
    }
    FooterCache lazyFooters =
        config.isLazyFooters() ? new FooterCache(config.getFooterCacheFiles()) : null;
    StrayFiles strayFiles = config.isStrictDatasets() ? StrayFiles.REJECT : StrayFiles.SKIP;
    List<Dataset> datasets = new ArrayList<>();
    for (Map.Entry<String, String> entry : locations.entrySet()) {
      if (isEmptyDirectory(storage, entry.getValue())) {
        // A new node's own volume is empty until its files arrive (peer-local placement): it
        // serves without the dataset, and the other nodes answer for it, instead of failing.
        LOG.warn(
            "Dataset '{}' has no files yet in {}; serving without it (restart the node once its"
                + " files are there)",
            entry.getKey(),
            entry.getValue());
        continue;
      }
      datasets.add(
          DatasetLoader.load(entry.getKey(), entry.getValue(), storage, lazyFooters, strayFiles));
    }
    if (!config.isAuth()
        && config.getAuthGrantsFile() != null
        && !config.getAuthGrantsFile().isBlank()) {
      throw new IllegalArgumentException(
          "quiver.auth-grants-file is set but nobody is authenticated: set"
              + " quiver.auth-users-file or quiver.auth-jwks too");
    }
    Access access =
        config.isAuth()
            ? new Access(
                config.getAuthDatasets(),
                config.getAuthGrantsFile() == null || config.getAuthGrantsFile().isBlank()
                    ? null
                    : Grants.read(Path.of(config.getAuthGrantsFile())))
            : Access.open();
    return new Catalog(datasets, storage, config.getDatasetTtl(), lazyFooters, access, strayFiles);
  }
}
