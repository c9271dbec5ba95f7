package dev.quiver.server.catalog;

import static java.util.Objects.requireNonNull;

import dev.quiver.parquet.dataset.Dataset;
import dev.quiver.parquet.dataset.DatasetLoader;
import dev.quiver.parquet.dataset.FooterCache;
import dev.quiver.parquet.dataset.InvalidDatasetException;
import dev.quiver.parquet.dataset.StrayFiles;
import dev.quiver.parquet.storage.Storage;
import dev.quiver.server.auth.Access;
import dev.quiver.server.auth.Caller;
import dev.quiver.server.error.ErrorCode;
import dev.quiver.server.error.QuiverException;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The datasets a node serves, by name. The set of names is fixed when the node starts; each
 * dataset's listing and footers are loaded again by {@link #refresh} or, with a time to live, by
 * the first lookup after it lapsed. A query keeps the {@link Dataset} it planned with.
 *
 * <p>Thread-safe.
 */
public final class Catalog {
  private final Map<String, Loaded> datasets;
  private final List<String> names;
  private final Storage storage;
  private final long ttlNanos;
  private final FooterCache lazyFooters;
  private final Access access;
  private final StrayFiles strayFiles;

  /** A catalog of loaded datasets that stay as loaded until refreshed from local storage. */
  public Catalog(Collection<Dataset> datasets) {
    this(datasets, Storage.local(), Duration.ZERO, null, Access.open());
  }

  /**
   * @param storage where datasets are loaded again from
   * @param ttl how long a loaded dataset is served before a lookup reloads it; zero for ever
   * @param lazyFooters the cache of lazily read footers datasets are reloaded with, or null to read
   *     every footer when a dataset loads
   * @param access who may read which dataset
   */
  public Catalog(
      Collection<Dataset> datasets,
      Storage storage,
      Duration ttl,
      FooterCache lazyFooters,
      Access access) {
    this(datasets, storage, ttl, lazyFooters, access, StrayFiles.SKIP);
  }

  /**
   * @param strayFiles what a reload does with files that are plainly not Parquet
   */
  public Catalog(
      Collection<Dataset> datasets,
      Storage storage,
      Duration ttl,
      FooterCache lazyFooters,
      Access access,
      StrayFiles strayFiles) {
    this.strayFiles = requireNonNull(strayFiles, "strayFiles is null");
    this.access = requireNonNull(access, "access is null");
    this.lazyFooters = lazyFooters;
    this.storage = requireNonNull(storage, "storage is null");
    this.ttlNanos = requireNonNull(ttl, "ttl is null").toNanos();
    Map<String, Loaded> byName = new LinkedHashMap<>();
    for (Dataset dataset : requireNonNull(datasets, "datasets is null")) {
      if (byName.put(dataset.name(), new Loaded(dataset, System.nanoTime())) != null) {
        throw new IllegalArgumentException("Dataset '" + dataset.name() + "' is defined twice");
      }
    }
    this.names = byName.keySet().stream().sorted().toList();
    this.datasets = new ConcurrentHashMap<>(byName);
  }

  /** The names of the datasets the current {@link Caller} may read (all of them for no caller). */
  public List<String> names() {
    return Caller.current().isEmpty() ? names : names.stream().filter(access::mayRead).toList();
  }

  /** Who may read which dataset. */
  public Access access() {
    return access;
  }

  public Optional<Dataset> find(String name) {
    Loaded loaded = datasets.get(name);
    if (loaded == null) {
      return Optional.empty();
    }
    if (ttlNanos > 0 && System.nanoTime() - loaded.at() > ttlNanos) {
      return Optional.of(reload(name, loaded));
    }
    return Optional.of(loaded.dataset());
  }

  /**
   * Returns the dataset called {@code name}.
   *
   * @throws QuiverException NOT_FOUND, listing the datasets there are (those the caller may read);
   *     PERMISSION_DENIED if the current caller may not read it
   */
  public Dataset require(String name) {
    if (datasets.containsKey(name)) {
      access.check(name);
    }
    return find(name)
        .orElseThrow(
            () ->
                new QuiverException(
                    ErrorCode.NOT_FOUND,
                    "Unknown dataset '" + name + "'; datasets are: " + String.join(", ", names())));
  }

  /**
   * Lists the dataset's location and reads its footers again, now.
   *
   * @throws QuiverException NOT_FOUND for an unknown dataset; PERMISSION_DENIED if the current
   *     caller may not read it; UNAVAILABLE naming the location if it cannot be loaded (the dataset
   *     stays as it was)
   */
  public Dataset refresh(String name) {
    Loaded loaded = datasets.get(name);
    if (loaded == null) {
      require(name);
    }
    access.check(name);
    return reload(name, loaded);
  }

  private Dataset reload(String name, Loaded stale) {
    synchronized (stale) {
      Loaded current = datasets.get(name);
      if (current != stale) {
        return current.dataset(); // another thread reloaded it meanwhile
      }
      Dataset dataset;
      try {
        dataset =
            DatasetLoader.load(name, stale.dataset().location(), storage, lazyFooters, strayFiles);
      } catch (InvalidDatasetException e) {
        throw new QuiverException(
            ErrorCode.UNAVAILABLE, "Cannot reload dataset '" + name + "': " + e.getMessage(), e);
      }
      datasets.put(name, new Loaded(dataset, System.nanoTime()));
      return dataset;
    }
  }

  private record Loaded(Dataset dataset, long at) {}
}
