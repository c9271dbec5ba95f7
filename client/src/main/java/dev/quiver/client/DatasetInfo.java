package dev.quiver.client;

import static java.util.Objects.requireNonNull;

import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A dataset as a node describes it.
 *
 * @param name the dataset's name
 * @param schema its Arrow schema
 * @param rows total rows, or -1 if unknown
 * @param bytes total stored bytes, or -1 if unknown
 * @param endpoints how many parts it is served in
 */
public record DatasetInfo(String name, Schema schema, long rows, long bytes, int endpoints) {
  public DatasetInfo {
    requireNonNull(name, "name is null");
    requireNonNull(schema, "schema is null");
  }
}
