package dev.quiver.server.sql;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A validated query with {@code ?} parameters, ready to be bound and run many times.
 *
 * @param sql the text, with its {@code ?} markers
 * @param parameters one field per marker, in order, typed as the column it is compared with
 * @param schema the result's schema
 */
public record PreparedQuery(String sql, List<Field> parameters, Schema schema) {
  public PreparedQuery {
    requireNonNull(sql, "sql is null");
    parameters = List.copyOf(parameters);
    requireNonNull(schema, "schema is null");
  }

  /** The parameters as a schema, as Flight SQL clients receive it. */
  public Schema parameterSchema() {
    return new Schema(parameters);
  }
}
