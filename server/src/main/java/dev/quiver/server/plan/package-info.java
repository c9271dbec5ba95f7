/**
 * Logical planning on Calcite: the catalog as a Calcite schema, SQL validated by Calcite's {@code
 * SqlValidator} and converted to relational algebra, and that algebra turned into Quiver's query
 * plans ({@link dev.quiver.server.sql.Query}) with vectorized expressions and pushdown predicates.
 * Depends on the catalog and the expression package; knows nothing of Flight.
 */
package dev.quiver.server.plan;
