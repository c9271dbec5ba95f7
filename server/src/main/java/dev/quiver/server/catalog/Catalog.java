package dev.quiver.server.catalog;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The datasets a node serves, by name. Immutable once built. */
public final class Catalog {
  private final Map<String, Dataset> datasets;
  private final List<String> names;

  public Catalog(Collection<Dataset> datasets) {
    Map<String, Dataset> byName = new LinkedHashMap<>();
    for (Dataset dataset : requireNonNull(datasets, "datasets is null")) {
      if (byName.put(dataset.name(), dataset) != null) {
        throw new IllegalArgumentException("Dataset '" + dataset.name() + "' is defined twice");
      }
    }
    this.datasets = Map.copyOf(byName);
    this.names = byName.keySet().stream().sorted().toList();
  }

  /** Dataset names, sorted. */
  public List<String> names() {
    return names;
  }

  public Optional<Dataset> find(String name) {
    return Optional.ofNullable(datasets.get(name));
  }

  /**
   * Returns the dataset called {@code name}.
   *
   * @throws QuiverException NOT_FOUND, listing the datasets there are
   */
  public Dataset require(String name) {
    Dataset dataset = datasets.get(name);
    if (dataset == null) {
      throw new QuiverException(
          ErrorCode.NOT_FOUND,
          "Unknown dataset '" + name + "'; datasets are: " + String.join(", ", names));
    }
    return dataset;
  }
}
