package dev.quiver.shuffle.objectstore;

import static java.util.Objects.requireNonNull;

/**
 * A sealed object as a reader sees it: where to map it and what it holds.
 *
 * @param id the object's id, also its file name without the extension
 * @param path the absolute path of its Arrow IPC file
 * @param bytes the file's size
 * @param rows rows in all its record batches
 * @param schema the Arrow schema, as Arrow's JSON form
 */
public record SharedObject(String id, String path, long bytes, long rows, String schema) {
  public SharedObject {
    requireNonNull(id, "id is null");
    requireNonNull(path, "path is null");
    requireNonNull(schema, "schema is null");
  }
}
