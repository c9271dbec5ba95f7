/**
 * SQL in front of the scan: Calcite parses, {@link dev.quiver.server.sql.QueryPlanner} validates
 * against the catalog and turns the query into a scan with a filter, projections and a limit.
 */
package dev.quiver.server.sql;
